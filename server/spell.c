/*
 * spell: corrections for a query word the index does not know (see
 * spell.h).  Candidates are checked against the index itself, so only words
 * that would find something are offered.
 */
#include "spell.h"
#include "sok_terms.h"
#include "sok_text.h"

#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#define ACCENT_VARIANTS_MAX 64  /* accent-restored spellings tried a word */

/* Documents holding w exactly, or else its stem (for comparing
 * candidates: exact counts dominate). */
static unsigned long word_score(struct sok_engine *e, const char *w,
                                size_t len)
{
    char stem[SOK_TOKEN_MAX + 1];
    unsigned long f = sok_engine_termfreq(e, "", w, len);
    if (f > 0)
        return f << 20;
    size_t sl = sok_engine_stem(e, w, len, stem, sizeof stem);
    return sl ? sok_engine_termfreq(e, SOK_PREFIX_STEM, stem, sl) : 0;
}

/* The best indexed spelling of w with å/ä restored for a and ö for o, as
 * typed on a keyboard without them; 0 when none is indexed. */
static size_t accent_variant(struct sok_engine *e, const char *w, size_t len,
                             char *out, size_t cap)
{
    static const char *const alt_a[] = { "a", "\xc3\xa5", "\xc3\xa4" };
    static const char *const alt_o[] = { "o", "\xc3\xb6" };
    size_t pos[8], npos = 0, nvar = 1;
    for (size_t i = 0; i < len && npos < 8; i++) {
        size_t k = w[i] == 'a' ? 3 : w[i] == 'o' ? 2 : 0;
        if (k == 0 || nvar * k > ACCENT_VARIANTS_MAX)
            continue;
        pos[npos++] = i;
        nvar *= k;
    }
    if (npos == 0 || 2 * len >= cap)
        return 0;
    unsigned long best = 0;
    size_t best_len = 0;
    char cand[2 * SOK_TOKEN_MAX + 2];
    for (size_t v = 1; v < nvar; v++) {     /* v == 0 is w itself */
        size_t code = v, o = 0, from = 0;
        for (size_t k = 0; k < npos; k++) {
            size_t i = pos[k];
            memcpy(cand + o, w + from, i - from);
            o += i - from;
            const char *rep;
            if (w[i] == 'a') {
                rep = alt_a[code % 3];
                code /= 3;
            } else {
                rep = alt_o[code % 2];
                code /= 2;
            }
            memcpy(cand + o, rep, strlen(rep));
            o += strlen(rep);
            from = i + 1;
        }
        memcpy(cand + o, w + from, len - from);
        o += len - from;
        unsigned long s = word_score(e, cand, o);
        if (s > best && o < cap) {
            best = s;
            best_len = o;
            memcpy(out, cand, o);
            out[o] = '\0';
        }
    }
    return best_len;
}

size_t sok_spell_correction(struct sok_engine *e, const char *w, size_t len,
                            char *out, size_t cap)
{
    size_t chars = 0;
    for (size_t i = 0; i < len; i++)
        chars += ((unsigned char)w[i] & 0xc0) != 0x80;
    if (chars < 3)
        return 0;
    char *s = NULL;
    struct sok_err ignore = SOK_ERR_INIT;
    size_t n = 0;
    if (sok_xr_spelling(e->xr, w, len, chars >= 8 ? 2 : 1, &s,
                        &ignore) == 0) {
        n = strlen(s);
        if (n >= cap || (n == len && memcmp(s, w, len) == 0))
            n = 0;
        else
            memcpy(out, s, n + 1);
    }
    free(s);
    return n;
}

/* Keeps the SOK_ALTS_MAX best-scored distinct words. */
static void alts_add(struct sok_alts *al, const char *w, size_t len,
                     unsigned long score)
{
    if (len == 0 || len > SOK_TOKEN_MAX || score == 0)
        return;
    for (size_t k = 0; k < al->n; k++)
        if (al->a[k].len == len && memcmp(al->a[k].w, w, len) == 0)
            return;
    size_t at = al->n;
    while (at > 0 && al->a[at - 1].score < score)
        at--;
    if (at == SOK_ALTS_MAX)
        return;
    size_t last = al->n < SOK_ALTS_MAX ? al->n : SOK_ALTS_MAX - 1;
    memmove(&al->a[at + 1], &al->a[at], (last - at) * sizeof al->a[0]);
    memcpy(al->a[at].w, w, len);
    al->a[at].w[len] = '\0';
    al->a[at].len = len;
    al->a[at].score = score;
    if (al->n < SOK_ALTS_MAX)
        al->n++;
}

/* Every indexed word one edit (deletion, transposition, substitution or
 * insertion of a Swedish letter) away from w, scored by frequency.  Only
 * for words the index does not know, so the few hundred lookups are rare;
 * Xapian's spelling dictionary offers just one candidate, and the context
 * of the query is better at choosing than frequency alone. */
static void edit1(struct sok_engine *e, const char *w, size_t len,
                  struct sok_alts *al)
{
    static const utf8proc_int32_t letters[] = {
        'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k', 'l', 'm',
        'n', 'o', 'p', 'q', 'r', 's', 't', 'u', 'v', 'w', 'x', 'y', 'z',
        0xe5, 0xe4, 0xf6, 0xe9, 0xfc,
    };
    enum { NL = sizeof letters / sizeof letters[0], MAXC = 24 };
    utf8proc_int32_t cp[MAXC + 1];
    size_t n = 0;
    for (size_t i = 0; i < len;) {
        utf8proc_ssize_t k = utf8proc_iterate((const utf8proc_uint8_t *)w + i,
                                              (utf8proc_ssize_t)(len - i),
                                              &cp[n]);
        if (k <= 0 || n == MAXC)
            return;
        i += (size_t)k;
        n++;
    }
    if (n < 4)
        return;                 /* short words have too many neighbours */
    utf8proc_int32_t c[MAXC + 2];
    char buf[4 * (MAXC + 2)];
    /* op 0 delete, 1 transpose, 2 substitute, 3 insert; at position i */
    for (int op = 0; op < 4; op++)
        for (size_t i = 0; i <= n; i++)
            for (size_t l = 0; l < (op >= 2 ? (size_t)NL : 1); l++) {
                size_t m = 0;
                if ((op < 3 && i == n) || (op == 1 && i + 1 >= n))
                    continue;
                for (size_t j = 0; j < n; j++) {
                    if (j == i && op == 0)
                        continue;
                    if (j == i && op == 3)
                        c[m++] = letters[l];
                    if (j == i && op == 2) {
                        if (letters[l] == cp[j])
                            goto next;
                        c[m++] = letters[l];
                        continue;
                    }
                    if (op == 1 && j == i) {
                        if (cp[i] == cp[i + 1])
                            goto next;
                        c[m++] = cp[i + 1];
                        c[m++] = cp[i];
                        j++;
                        continue;
                    }
                    c[m++] = cp[j];
                }
                if (op == 3 && i == n)
                    c[m++] = letters[l];
                size_t bl = 0;
                for (size_t j = 0; j < m; j++)
                    bl += (size_t)utf8proc_encode_char(
                        c[j], (utf8proc_uint8_t *)buf + bl);
                alts_add(al, buf, bl, sok_engine_termfreq(e, "", buf, bl));
            next:;
            }
}

void sok_spell_alts(struct sok_engine *e, const char *w, size_t len,
                    struct sok_alts *al)
{
    char c[2 * SOK_TOKEN_MAX + 2];
    size_t cl;
    al->n = 0;
    if ((cl = accent_variant(e, w, len, c, sizeof c)) > 0)
        alts_add(al, c, cl, ~0ul);
    if ((cl = sok_spell_correction(e, w, len, c, sizeof c)) > 0)
        alts_add(al, c, cl, ~0ul - 1);
    edit1(e, w, len, al);
}


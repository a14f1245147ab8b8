/*
 * test_plan: the Xapian query each search request becomes (server/plan.c),
 * pinned as Xapian's own description of it, tier by tier, with the
 * suggestion the corrections make.  The plan consults the index (term
 * frequencies, the accent walk, the spelling dictionary, the edit-distance
 * index), so the test writes a small real one first, through the same
 * analysis the indexer uses (sok_analyze_text), with a lexicon of its own,
 * both in one mkdtemp() directory removed at the end.  A changed string
 * means the queries changed: on purpose, re-pin them with
 * SOK_PLAN_PRINT=1, which prints the current descriptions as C literals.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "plan.h"
#include "engine.h"
#include "sok_analyze.h"
#include "sok_doc.h"
#include "sok_terms.h"
#include "sok_xapian.h"

static char g_root[64];
static struct sok_engine *g_engine, *g_plain;

/* ------------------------------------------------------------- the index */

/* The words the compound splitter and sok_lexicon_knows() may use. */
static const char *const lexicon[] = {
    "fritid", "bank", "skola", "väg", "trafik", "avtal", "barn", "hjälp",
    "tal", "igenkänning", "tjänst", "stöd", "grupp", "familj", "hus",
    "metod", "kommun", "missbruk", "beroende", "romsk", "arbete", "ung",
    "utrustning", "förening", "projekt", "röst", "lov", "by", "bilaga",
    "leda", "läsa", "nummer", "hem", "öppna", "låna", "gratis", "ny",
};

struct tsec {
    const char *title, *text;
    enum sok_type type;
    const char *date;           /* "YYYYMMDD" or NULL */
};

static const struct tsec sections[] = {
    { "Fritidsbanken öppnar",
      "Fritidsbanken lånar ut fritidsutrustning gratis. Fritidsbanken "
      "har öppet på lördagar.", SOK_TYPE_NEWS, "20170301" },
    { "Fritidsbank i skolan", "En fritidsbank för barn och unga i skolan.",
      SOK_TYPE_MINUTES, "20180502" },
    { "Väg och trafik",
      "Den nya vägen genom byn. Vägar och trafik i kommunen.",
      SOK_TYPE_REPORT, "20160101" },
    { "IOP-avtal ger romska barn hjälp",
      "Ett IOP-avtal med föreningen ger romska barn hjälp i "
      "skolarbetet.",
      SOK_TYPE_NEWS, "20170601" },
    { "Catch up-metoden",
      "Med catch up-metoden lär sig barn läsa. Metoden kommer från England.",
      SOK_TYPE_REPORT, "20190202" },
    { "Anna Lindqvist", "Anna Lindqvist leder projektet.", SOK_TYPE_NEWS,
      NULL },
    { "Lindkvist berättar", "Per Lindkvist om stödgrupper för barn.",
      SOK_TYPE_OTHER, NULL },
    { "Stödgrupper för barn",
      "Familjehusets stödgrupper erbjuder stöd för barn och unga som "
      "upplever missbruk och beroende.", SOK_TYPE_NEWS, "20200315" },
    { "Romska barn", "Romska barn och unga i skolan.", SOK_TYPE_MINUTES,
      "20171010" },
    { "Tjänster",
      "Vår tjänst för tal och igenkänning av röster. Talet känns igen.",
      SOK_TYPE_OTHER, NULL },
    { "Bilagor", "Se bilaga a och bilaga b.", SOK_TYPE_OTHER, NULL },
    { "Banken och fritiden", "En bank för fritid och vila.",
      SOK_TYPE_OTHER, NULL },
    { "Skolfan", "En skolfan skrev om skolan.", SOK_TYPE_OTHER, NULL },
};

#define SKOLFAM_SECTIONS 6      /* "skolfam": the correction of "skolfan" */
#define KOMMUN_SECTIONS 55      /* "kommun": a common word */

struct writing {                /* one section being written */
    struct sok_xdoc *doc;
    struct sok_xw *w;
    struct sok_err *err;
};

static int on_term(void *ctx, const struct sok_term *t)
{
    struct writing *c = ctx;
    int rc = t->pos ? sok_xdoc_add_posting(c->doc, t->term, t->len, t->pos,
                                           t->wdfinc, c->err)
                    : sok_xdoc_add_term(c->doc, t->term, t->len, t->wdfinc,
                                        c->err);
    /* The indexer's spelling rule (indexer/build.c): exact words of three
     * bytes or more, with the wdf they were given. */
    if (rc == 0 && t->is_word && t->len >= 3)
        rc = sok_xw_add_spelling(c->w, t->term, t->len, t->wdfinc, c->err);
    return rc;
}

/* One section as indexer/build.c writes its terms: title (TITLE | PARTS,
 * so S, C and T terms too), a gap, text (PARTS); then the Q, XT and XY
 * terms and the type and date values.  The plan reads only the terms and
 * the spelling dictionary; the rest keeps it an index sok-server could
 * serve. */
static void add_section(struct sok_analyzer *an, struct sok_xw *w,
                        unsigned n, const struct tsec *s)
{
    struct sok_err err = SOK_ERR_INIT;
    struct sok_xdoc *d = NULL;
    assert_int_equal(sok_xdoc_new(&d, &err), 0);
    struct writing c = { d, w, &err };
    unsigned pos = 1;
    assert_int_equal(sok_analyze_text(an, s->title, strlen(s->title),
                                      SOK_ANALYZE_TITLE | SOK_ANALYZE_PARTS,
                                      &pos, on_term, &c, &err), 0);
    pos += 100;
    assert_int_equal(sok_analyze_text(an, s->text, strlen(s->text),
                                      SOK_ANALYZE_PARTS, &pos, on_term, &c,
                                      &err), 0);
    const char *type = sok_type_name(s->type);
    char term[64];
    snprintf(term, sizeof term, SOK_PREFIX_TYPE "%s", type);
    assert_int_equal(sok_xdoc_add_boolean(d, term, strlen(term), &err), 0);
    assert_int_equal(sok_xdoc_set_value(d, SOK_SLOT_TYPE, type, strlen(type),
                                        &err), 0);
    if (s->date != NULL) {
        assert_int_equal(sok_xdoc_set_value(d, SOK_SLOT_DATE, s->date, 8,
                                            &err), 0);
        snprintf(term, sizeof term, SOK_PREFIX_YEAR "%.4s", s->date);
        assert_int_equal(sok_xdoc_add_boolean(d, term, strlen(term), &err),
                         0);
    }
    char q[32];
    snprintf(q, sizeof q, SOK_PREFIX_ID "%016x", n);
    assert_int_equal(sok_xw_add_new(w, q, d, &err), 0);
    sok_xdoc_free(d);
}

static void write_index(const char *path)
{
    struct sok_err err = SOK_ERR_INIT;
    struct sok_analyzer *an = NULL;
    struct sok_xw *w = NULL;
    assert_int_equal(sok_analyzer_new(&an, &err), 0);
    assert_int_equal(sok_xw_open(path, SOK_XW_CREATE, &w, &err), 0);
    assert_int_equal(sok_xw_begin(w, &err), 0);
    unsigned n = 0;
    for (size_t i = 0; i < sizeof sections / sizeof sections[0]; i++)
        add_section(an, w, n++, &sections[i]);
    for (unsigned i = 0; i < SKOLFAM_SECTIONS; i++) {
        const struct tsec s = { "Skolfam", "Skolfam stöder barn i skolan.",
                                SOK_TYPE_REPORT, "20210101" };
        add_section(an, w, n++, &s);
    }
    for (unsigned i = 0; i < KOMMUN_SECTIONS; i++) {
        const struct tsec s = { "Kommunen", "Kommun och kommunens nummer.",
                                SOK_TYPE_MINUTES, "20150101" };
        add_section(an, w, n++, &s);
    }
    char v[16];
    snprintf(v, sizeof v, "%d", SOK_SCHEMA_VERSION);
    assert_int_equal(sok_xw_set_metadata(w, SOK_META_SCHEMA, v, strlen(v),
                                         &err), 0);
    assert_int_equal(sok_xw_commit(w, &err), 0);
    sok_xw_free(w);
    sok_analyzer_free(an);
}

static void write_lexicon(const char *path)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fprintf(f, "%zu\n", sizeof lexicon / sizeof lexicon[0]);
    for (size_t i = 0; i < sizeof lexicon / sizeof lexicon[0]; i++)
        fprintf(f, "%s\n", lexicon[i]);
    assert_int_equal(fclose(f), 0);
}

static int rm_entry(const char *path, const struct stat *sb, int type,
                    struct FTW *ftw)
{
    (void)sb; (void)type; (void)ftw;
    return remove(path);
}

static int group_setup(void **state)
{
    (void)state;
    strcpy(g_root, "/tmp/sok_test_plan_XXXXXX");
    if (mkdtemp(g_root) == NULL)
        return -1;
    char lex[128], db[128];
    snprintf(lex, sizeof lex, "%s/lexicon.dic", g_root);
    snprintf(db, sizeof db, "%s/index", g_root);
    write_lexicon(lex);
    /* Read once, on the first sok_lexicon_default(): before any analyzer. */
    setenv("SOK_LEXICON", lex, 1);
    write_index(db);
    struct sok_err err = SOK_ERR_INIT;
    struct sok_engine_opts plain = SOK_ENGINE_OPTS_INIT;
    plain.plain = 1;
    if (sok_engine_new(db, NULL, &g_engine, &err) != 0 ||
        sok_engine_new(db, &plain, &g_plain, &err) != 0) {
        fprintf(stderr, "engine: %s\n", err.msg);
        return -1;
    }
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    sok_engine_free(g_engine);
    sok_engine_free(g_plain);
    return nftw(g_root, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* ------------------------------------------------------------- the cases */

struct plan_case {
    const char *q;
    int plain;                  /* the --plain engine */
    unsigned types;             /* req.types */
    const char *from, *to;      /* req.from, req.to ("YYYYMMDD"), or NULL */
    int code;                   /* expected rc */
    const char *want;           /* sok_plan_describe()'s text (code 0) */
};

/* Joined words (as typed, with a linking s, of two unknown halves), an
 * accent restored (with and beside a known word: the "known" tier), a
 * compound prefix, a phrase with a compound, exclusions (of a word, of a
 * phrase), names and words outside the lexicon (edit variants), an
 * unknown compound (its parts), a stopword-only query, a dropped stopword
 * in the proximity phrase, a wildcard, an unknown word without
 * alternatives, type and date filters, OR, a capitalised known word, an
 * accent fold ("for"), a common word (no part expansion), a known
 * compound, a title key, a rare word's suggestion, nothing searchable,
 * words run together, a hyphenated compound, a number, a too short
 * prefix, and --plain. */
static const struct plan_case cases[] = {
    { "fritids bank", 0, 0u, NULL, NULL, 0,
      "all: Query((((((fritids OR 0.5 * (Zfritid OR fritid)) OR "
      "(0.2999999999999999889 * Cfritid AND_NOT (fritids OR 0.5 * (Zfritid "
      "OR fritid)))) AND ((1.5 * bank OR 0.5 * Zbank) OR "
      "(0.2999999999999999889 * Cbank AND_NOT (1.5 * bank OR 0.5 * Zbank)))) "
      "OR ((1.5 * fritidsbank OR 0.5 * Zfritidsbank) OR "
      "(0.2999999999999999889 * Cfritidsbank AND_NOT (1.5 * fritidsbank OR "
      "0.5 * Zfritidsbank)))) AND_MAYBE (1 * (fritids PHRASE 4 bank) OR 1 * "
      "Tfritids bank)))\n" },
    { "fritid bank", 0, 0u, NULL, NULL, 0,
      "all: Query((((((1.5 * fritid OR 0.5 * Zfritid) OR "
      "(0.2999999999999999889 * Cfritid AND_NOT (1.5 * fritid OR 0.5 * "
      "Zfritid))) AND ((1.5 * bank OR 0.5 * Zbank) OR (0.2999999999999999889 "
      "* Cbank AND_NOT (1.5 * bank OR 0.5 * Zbank)))) OR ((1.5 * fritidsbank "
      "OR 0.5 * Zfritidsbank) OR (0.2999999999999999889 * Cfritidsbank "
      "AND_NOT (1.5 * fritidsbank OR 0.5 * Zfritidsbank)))) AND_MAYBE (1 * "
      "(fritid PHRASE 4 bank) OR 1 * Tfritid bank)))\n" },
    { "vag", 0, 0u, NULL, NULL, 0,
      "all: Query(((((1.5 * vag OR 0.5 * Zvag) OR ((0.2999999999999999889 * "
      "Cvag OR 0.2999999999999999889 * väg) AND_NOT (1.5 * vag OR 0.5 * "
      "Zvag))) OR ((1.5 * väg OR 0.5 * Zväg) OR (0.2999999999999999889 * "
      "Cväg AND_NOT (1.5 * väg OR 0.5 * Zväg)))) AND_MAYBE 1 * "
      "Tvag))\nsuggestion: väg\n" },
    { "iop-av*", 0, 0u, NULL, NULL, 0,
      "all: Query(WILDCARD SYNONYM iop-av)\n" },
    { "\"catch up-metoden\"", 0, 0u, NULL, NULL, 0,
      "all: Query((catch PHRASE 3 up PHRASE 3 metoden))\n" },
    { "-a b", 0, 0u, NULL, NULL, 0,
      "all: Query((b AND_NOT a))\n" },
    { "Lindqvist", 0, 0u, NULL, NULL, 0,
      "all: Query((((1.5 * lindqvist OR 0.5 * Zlindqvist) OR "
      "((0.2999999999999999889 * Clindqvist OR (0.2999999999999999889 * "
      "lindkvist OR 0.14999999999999999445 * (Zlindkvist OR lindkvist))) "
      "AND_NOT (1.5 * lindqvist OR 0.5 * Zlindqvist))) AND_MAYBE 1 * "
      "Tlindqvist))\n" },
    { "Anna Lindqvist", 0, 0u, NULL, NULL, 0,
      "all: Query(((((anna OR 0.5 * (Zann OR ann)) OR (0.2999999999999999889 "
      "* Cann AND_NOT (anna OR 0.5 * (Zann OR ann)))) AND ((1.5 * lindqvist "
      "OR 0.5 * Zlindqvist) OR ((0.2999999999999999889 * Clindqvist OR "
      "(0.2999999999999999889 * lindkvist OR 0.14999999999999999445 * "
      "(Zlindkvist OR lindkvist))) AND_NOT (1.5 * lindqvist OR 0.5 * "
      "Zlindqvist)))) AND_MAYBE (1 * (anna PHRASE 4 lindqvist) OR 1 * Tanna "
      "lindqvist)))\nany: Query(((((anna OR 0.5 * (Zann OR ann)) OR "
      "(0.2999999999999999889 * Cann AND_NOT (anna OR 0.5 * (Zann OR ann)))) "
      "OR ((1.5 * lindqvist OR 0.5 * Zlindqvist) OR ((0.2999999999999999889 "
      "* Clindqvist OR (0.2999999999999999889 * lindkvist OR "
      "0.14999999999999999445 * (Zlindkvist OR lindkvist))) AND_NOT (1.5 * "
      "lindqvist OR 0.5 * Zlindqvist)))) AND_MAYBE (1 * (anna PHRASE 4 "
      "lindqvist) OR 1 * Tanna lindqvist)))\n" },
    { "lindkvist", 0, 0u, NULL, NULL, 0,
      "all: Query((((1.5 * lindkvist OR 0.5 * Zlindkvist) OR "
      "((0.2999999999999999889 * Clindkvist OR (0.2999999999999999889 * "
      "lindqvist OR 0.14999999999999999445 * (Zlindqvist OR lindqvist))) "
      "AND_NOT (1.5 * lindkvist OR 0.5 * Zlindkvist))) AND_MAYBE 1 * "
      "Tlindkvist))\n" },
    { "taligenkänningstjänsten", 0, 0u, NULL, NULL, 0,
      "all: Query(((((taligenkänningstjänsten OR 0.5 * "
      "(Ztaligenkänningstjänst OR taligenkänningstjänst)) OR "
      "(0.2999999999999999889 * Ctaligenkänningstjänst AND_NOT "
      "(taligenkänningstjänsten OR 0.5 * (Ztaligenkänningstjänst OR "
      "taligenkänningstjänst)))) OR (((Ztal OR tal) OR "
      "0.2999999999999999889 * Ctal) AND ((Zigenkänning OR igenkänning) "
      "OR 0.2999999999999999889 * Cigenkänning) AND ((Ztjänst OR "
      "tjänst) OR 0.2999999999999999889 * Ctjänst))) AND_MAYBE 1 * "
      "Ttaligenkänningstjänsten))\n" },
    { "och i att", 0, 0u, NULL, NULL, 0,
      "all: Query((((1.5 * och OR 0.5 * Zoch) AND i AND (((1.5 * att OR 0.5 "
      "* Zatt) OR (0.2999999999999999889 * Catt AND_NOT (1.5 * att OR 0.5 * "
      "Zatt))) OR ((1.5 * ett OR 0.5 * Zett) OR (0.2999999999999999889 * "
      "Cett AND_NOT (1.5 * ett OR 0.5 * Zett))))) AND_MAYBE (1 * (och PHRASE "
      "5 i PHRASE 5 (att OR ett)) OR 1 * Toch i att)))\nknown: Query(((((1.5 "
      "* och OR 0.5 * Zoch) AND i) AND_MAYBE (((1.5 * att OR 0.5 * Zatt) OR "
      "(0.2999999999999999889 * Catt AND_NOT (1.5 * att OR 0.5 * Zatt))) OR "
      "((1.5 * ett OR 0.5 * Zett) OR (0.2999999999999999889 * Cett AND_NOT "
      "(1.5 * ett OR 0.5 * Zett))))) AND_MAYBE (1 * (och PHRASE 5 i PHRASE 5 "
      "(att OR ett)) OR 1 * Toch i att)))\nany: Query((((1.5 * och OR 0.5 * "
      "Zoch) OR i OR (((1.5 * att OR 0.5 * Zatt) OR (0.2999999999999999889 * "
      "Catt AND_NOT (1.5 * att OR 0.5 * Zatt))) OR ((1.5 * ett OR 0.5 * "
      "Zett) OR (0.2999999999999999889 * Cett AND_NOT (1.5 * ett OR 0.5 * "
      "Zett))))) AND_MAYBE (1 * (och PHRASE 5 i PHRASE 5 (att OR ett)) OR 1 "
      "* Toch i att)))\nsuggestion: och i ett\n" },
    { "\"romska barn\"", 0, 0u, NULL, NULL, 0,
      "all: Query((romska PHRASE 2 barn))\n" },
    { "barn -romska", 0, 0u, NULL, NULL, 0,
      "all: Query((((1.5 * barn OR 0.5 * Zbarn) OR (0.2999999999999999889 * "
      "Cbarn AND_NOT (1.5 * barn OR 0.5 * Zbarn))) AND_NOT ((romska OR 0.5 * "
      "(Zromsk OR romsk)) OR (0.2999999999999999889 * Cromsk AND_NOT (romska "
      "OR 0.5 * (Zromsk OR romsk))))))\n" },
    { "-\"romska barn\" stöd", 0, 0u, NULL, NULL, 0,
      "all: Query((((1.5 * stöd OR 0.5 * Zstöd) OR (0.2999999999999999889 * "
      "Cstöd AND_NOT (1.5 * stöd OR 0.5 * Zstöd))) AND_NOT (romska PHRASE 2 "
      "barn)))\n" },
    { "skol*", 0, 0u, NULL, NULL, 0,
      "all: Query(WILDCARD SYNONYM skol)\n" },
    { "xyzzyq", 0, 0u, NULL, NULL, 0,
      "all: Query((((1.5 * xyzzyq OR 0.5 * Zxyzzyq) OR "
      "(0.2999999999999999889 * Cxyzzyq AND_NOT (1.5 * xyzzyq OR 0.5 * "
      "Zxyzzyq))) AND_MAYBE 1 * Txyzzyq))\n" },
    { "barn", 0, 2u, NULL, NULL, 0,
      "all: Query(((((1.5 * barn OR 0.5 * Zbarn) OR (0.2999999999999999889 * "
      "Cbarn AND_NOT (1.5 * barn OR 0.5 * Zbarn))) AND_MAYBE 1 * Tbarn) "
      "FILTER XTnews))\n" },
    { "romska", 0, 0u, "20170101", "20171231", 0,
      "all: Query(((((romska OR 0.5 * (Zromsk OR romsk)) OR "
      "(0.2999999999999999889 * Cromsk AND_NOT (romska OR 0.5 * (Zromsk OR "
      "romsk)))) AND_MAYBE 1 * Tromska) FILTER VALUE_RANGE 0 20170101 "
      "20171231))\n" },
    { "stöd", 0, 10u, "20170101", NULL, 0,
      "all: Query(((((1.5 * stöd OR 0.5 * Zstöd) OR (0.2999999999999999889 * "
      "Cstöd AND_NOT (1.5 * stöd OR 0.5 * Zstöd))) AND_MAYBE 1 * Tstöd) "
      "FILTER (XTnews OR XTreport) FILTER VALUE_GE 0 20170101))\n" },
    { "barn OR romska", 0, 0u, NULL, NULL, 0,
      "all: Query((((1.5 * barn OR 0.5 * Zbarn) OR (0.2999999999999999889 * "
      "Cbarn AND_NOT (1.5 * barn OR 0.5 * Zbarn))) OR ((romska OR 0.5 * "
      "(Zromsk OR romsk)) OR (0.2999999999999999889 * Cromsk AND_NOT (romska "
      "OR 0.5 * (Zromsk OR romsk))))))\n" },
    { "missbruk och beroende", 0, 0u, NULL, NULL, 0,
      "all: Query(((((1.5 * missbruk OR 0.5 * Zmissbruk) OR "
      "(0.2999999999999999889 * Cmissbruk AND_NOT (1.5 * missbruk OR 0.5 * "
      "Zmissbruk))) AND ((beroende OR 0.5 * (Zberoend OR beroend)) OR "
      "(0.2999999999999999889 * Cberoend AND_NOT (beroende OR 0.5 * "
      "(Zberoend OR beroend))))) AND_MAYBE (1 * (missbruk PHRASE 5 och "
      "PHRASE 5 beroende) OR 1 * Tmissbruk och beroende)))\nany: "
      "Query(((((1.5 * missbruk OR 0.5 * Zmissbruk) OR "
      "(0.2999999999999999889 * Cmissbruk AND_NOT (1.5 * missbruk OR 0.5 * "
      "Zmissbruk))) OR ((beroende OR 0.5 * (Zberoend OR beroend)) OR "
      "(0.2999999999999999889 * Cberoend AND_NOT (beroende OR 0.5 * "
      "(Zberoend OR beroend))))) AND_MAYBE (1 * (missbruk PHRASE 5 och "
      "PHRASE 5 beroende) OR 1 * Tmissbruk och beroende)))\n" },
    { "Stöd", 0, 0u, NULL, NULL, 0,
      "all: Query((((1.5 * stöd OR 0.5 * Zstöd) OR (0.2999999999999999889 * "
      "Cstöd AND_NOT (1.5 * stöd OR 0.5 * Zstöd))) AND_MAYBE 1 * Tstöd))\n" },
    { "for", 0, 0u, NULL, NULL, 0,
      "all: Query(((((1.5 * for OR 0.5 * Zfor) OR ((0.2999999999999999889 * "
      "Cfor OR 0.2999999999999999889 * för) AND_NOT (1.5 * for OR 0.5 * "
      "Zfor))) OR ((1.5 * för OR 0.5 * Zför) OR (0.2999999999999999889 * "
      "Cför AND_NOT (1.5 * för OR 0.5 * Zför)))) AND_MAYBE 1 * "
      "Tfor))\nsuggestion: för\n" },
    { "kommun", 0, 0u, NULL, NULL, 0,
      "all: Query(((1.5 * kommun OR 0.5 * Zkommun) AND_MAYBE 1 * Tkommun))\n" },
    { "fritidsbanken", 0, 0u, NULL, NULL, 0,
      "all: Query((((fritidsbanken OR 0.5 * (Zfritidsbank OR fritidsbank)) "
      "OR ((0.2999999999999999889 * Cfritidsbank OR (0.2999999999999999889 "
      "* fritidsbank OR 0.14999999999999999445 * (Zfritidsbank OR "
      "fritidsbank))) AND_NOT (fritidsbanken OR 0.5 * (Zfritidsbank OR "
      "fritidsbank)))) AND_MAYBE 1 * Tfritidsbanken))\n" },
    { "stödgrupper barn", 0, 0u, NULL, NULL, 0,
      "all: Query(((((stödgrupper OR 0.5 * (Zstödgrupp OR stödgrupp)) OR "
      "(0.2999999999999999889 * Cstödgrupp AND_NOT (stödgrupper OR 0.5 * "
      "(Zstödgrupp OR stödgrupp)))) AND ((1.5 * barn OR 0.5 * Zbarn) OR "
      "(0.2999999999999999889 * Cbarn AND_NOT (1.5 * barn OR 0.5 * Zbarn)))) "
      "AND_MAYBE (1 * (stödgrupper PHRASE 4 barn) OR 1 * Tstödgrupper "
      "barn)))\nany: Query(((((stödgrupper OR 0.5 * (Zstödgrupp OR "
      "stödgrupp)) OR (0.2999999999999999889 * Cstödgrupp AND_NOT "
      "(stödgrupper OR 0.5 * (Zstödgrupp OR stödgrupp)))) OR ((1.5 * barn OR "
      "0.5 * Zbarn) OR (0.2999999999999999889 * Cbarn AND_NOT (1.5 * barn OR "
      "0.5 * Zbarn)))) AND_MAYBE (1 * (stödgrupper PHRASE 4 barn) OR 1 * "
      "Tstödgrupper barn)))\n" },
    { "romska barn", 0, 0u, NULL, NULL, 0,
      "all: Query(((((romska OR 0.5 * (Zromsk OR romsk)) OR "
      "(0.2999999999999999889 * Cromsk AND_NOT (romska OR 0.5 * (Zromsk OR "
      "romsk)))) AND ((1.5 * barn OR 0.5 * Zbarn) OR (0.2999999999999999889 "
      "* Cbarn AND_NOT (1.5 * barn OR 0.5 * Zbarn)))) AND_MAYBE (1 * (romska "
      "PHRASE 4 barn) OR 1 * Tromska barn)))\nany: Query(((((romska OR 0.5 * "
      "(Zromsk OR romsk)) OR (0.2999999999999999889 * Cromsk AND_NOT (romska "
      "OR 0.5 * (Zromsk OR romsk)))) OR ((1.5 * barn OR 0.5 * Zbarn) OR "
      "(0.2999999999999999889 * Cbarn AND_NOT (1.5 * barn OR 0.5 * Zbarn)))) "
      "AND_MAYBE (1 * (romska PHRASE 4 barn) OR 1 * Tromska barn)))\n" },
    { "vag bank", 0, 0u, NULL, NULL, 0,
      "all: Query((((((1.5 * vag OR 0.5 * Zvag) OR ((0.2999999999999999889 * "
      "Cvag OR 0.2999999999999999889 * väg) AND_NOT (1.5 * vag OR 0.5 * "
      "Zvag))) OR ((1.5 * väg OR 0.5 * Zväg) OR (0.2999999999999999889 * "
      "Cväg AND_NOT (1.5 * väg OR 0.5 * Zväg)))) AND ((1.5 * bank OR 0.5 * "
      "Zbank) OR (0.2999999999999999889 * Cbank AND_NOT (1.5 * bank OR 0.5 * "
      "Zbank)))) AND_MAYBE (1 * ((vag OR väg) PHRASE 4 bank) OR 1 * Tvag "
      "bank)))\nknown: Query(((((1.5 * bank OR 0.5 * Zbank) OR "
      "(0.2999999999999999889 * Cbank AND_NOT (1.5 * bank OR 0.5 * Zbank))) "
      "AND_MAYBE (((1.5 * vag OR 0.5 * Zvag) OR ((0.2999999999999999889 * "
      "Cvag OR 0.2999999999999999889 * väg) AND_NOT (1.5 * vag OR 0.5 * "
      "Zvag))) OR ((1.5 * väg OR 0.5 * Zväg) OR (0.2999999999999999889 * "
      "Cväg AND_NOT (1.5 * väg OR 0.5 * Zväg))))) AND_MAYBE (1 * ((vag OR "
      "väg) PHRASE 4 bank) OR 1 * Tvag bank)))\nany: Query((((((1.5 * vag OR "
      "0.5 * Zvag) OR ((0.2999999999999999889 * Cvag OR "
      "0.2999999999999999889 * väg) AND_NOT (1.5 * vag OR 0.5 * Zvag))) OR "
      "((1.5 * väg OR 0.5 * Zväg) OR (0.2999999999999999889 * Cväg AND_NOT "
      "(1.5 * väg OR 0.5 * Zväg)))) OR ((1.5 * bank OR 0.5 * Zbank) OR "
      "(0.2999999999999999889 * Cbank AND_NOT (1.5 * bank OR 0.5 * Zbank)))) "
      "AND_MAYBE (1 * ((vag OR väg) PHRASE 4 bank) OR 1 * Tvag "
      "bank)))\nsuggestion: väg bank\n" },
    { "vag barn", 0, 0u, NULL, NULL, 0,
      "all: Query((((((1.5 * vag OR 0.5 * Zvag) OR ((0.2999999999999999889 * "
      "Cvag OR 0.2999999999999999889 * väg) AND_NOT (1.5 * vag OR 0.5 * "
      "Zvag))) OR ((1.5 * väg OR 0.5 * Zväg) OR (0.2999999999999999889 * "
      "Cväg AND_NOT (1.5 * väg OR 0.5 * Zväg)))) AND ((1.5 * barn OR 0.5 * "
      "Zbarn) OR (0.2999999999999999889 * Cbarn AND_NOT (1.5 * barn OR 0.5 * "
      "Zbarn)))) AND_MAYBE (1 * ((vag OR väg) PHRASE 4 barn) OR 1 * Tvag "
      "barn)))\nknown: Query(((((1.5 * barn OR 0.5 * Zbarn) OR "
      "(0.2999999999999999889 * Cbarn AND_NOT (1.5 * barn OR 0.5 * Zbarn))) "
      "AND_MAYBE (((1.5 * vag OR 0.5 * Zvag) OR ((0.2999999999999999889 * "
      "Cvag OR 0.2999999999999999889 * väg) AND_NOT (1.5 * vag OR 0.5 * "
      "Zvag))) OR ((1.5 * väg OR 0.5 * Zväg) OR (0.2999999999999999889 * "
      "Cväg AND_NOT (1.5 * väg OR 0.5 * Zväg))))) AND_MAYBE (1 * ((vag OR "
      "väg) PHRASE 4 barn) OR 1 * Tvag barn)))\nany: Query((((((1.5 * vag OR "
      "0.5 * Zvag) OR ((0.2999999999999999889 * Cvag OR "
      "0.2999999999999999889 * väg) AND_NOT (1.5 * vag OR 0.5 * Zvag))) OR "
      "((1.5 * väg OR 0.5 * Zväg) OR (0.2999999999999999889 * Cväg AND_NOT "
      "(1.5 * väg OR 0.5 * Zväg)))) OR ((1.5 * barn OR 0.5 * Zbarn) OR "
      "(0.2999999999999999889 * Cbarn AND_NOT (1.5 * barn OR 0.5 * Zbarn)))) "
      "AND_MAYBE (1 * ((vag OR väg) PHRASE 4 barn) OR 1 * Tvag "
      "barn)))\nsuggestion: väg barn\n" },
    { "lindq vist", 0, 0u, NULL, NULL, 0,
      "all: Query((((((1.5 * lindq OR 0.5 * Zlindq) OR "
      "(0.2999999999999999889 * Clindq AND_NOT (1.5 * lindq OR 0.5 * "
      "Zlindq))) AND ((1.5 * vist OR 0.5 * Zvist) OR (0.2999999999999999889 "
      "* Cvist AND_NOT (1.5 * vist OR 0.5 * Zvist)))) OR ((1.5 * lindqvist "
      "OR 0.5 * Zlindqvist) OR (0.2999999999999999889 * Clindqvist AND_NOT "
      "(1.5 * lindqvist OR 0.5 * Zlindqvist)))) AND_MAYBE (1 * (lindq PHRASE "
      "4 vist) OR 1 * Tlindq vist)))\nsuggestion: lindqvist\n" },
    { "skolfan", 0, 0u, NULL, NULL, 0,
      "all: Query((((1.5 * skolfan OR 0.5 * Zskolfan) OR "
      "((0.2999999999999999889 * Cskolfan OR (0.2999999999999999889 * skolan "
      "OR 0.14999999999999999445 * (Zskolan OR skolan)) OR "
      "(0.2999999999999999889 * skolfam OR 0.14999999999999999445 * "
      "(Zskolfam OR skolfam))) AND_NOT (1.5 * skolfan OR 0.5 * Zskolfan))) "
      "AND_MAYBE 1 * Tskolfan))\nsuggestion: skolfam\n" },
    /* nothing searchable left: a browse of every section (newest first,
     * which the search applies), exclusions and filters kept */
    { "!!!", 0, 0u, NULL, NULL, 0,
      "browse: Query(<alldocuments>)\n" },
    { "*", 0, 0u, NULL, NULL, 0,
      "browse: Query(<alldocuments>)\n" },
    { "-barn !!!", 0, 2u, "20170101", NULL, 0,
      "browse: Query(((<alldocuments> AND_NOT ((1.5 * barn OR 0.5 * Zbarn) "
      "OR (0.2999999999999999889 * Cbarn AND_NOT (1.5 * barn OR 0.5 * "
      "Zbarn)))) FILTER XTnews FILTER VALUE_GE 0 20170101))\n" },
    { "barn/unga", 0, 0u, NULL, NULL, 0,
      "all: Query(((barn PHRASE 2 unga) AND_MAYBE 1 * Tbarn unga))\n" },
    { "iop-avtal", 0, 0u, NULL, NULL, 0,
      "all: Query(((((1.5 * iop-avtal OR 0.5 * Ziop-avtal) OR "
      "(0.2999999999999999889 * Ciop-avtal AND_NOT (1.5 * iop-avtal OR 0.5 * "
      "Ziop-avtal))) OR (iop PHRASE 2 avtal)) AND_MAYBE 1 * Tiop-avtal))\n" },
    { "2017", 0, 0u, NULL, NULL, 0,
      "all: Query(2017)\n" },
    /* a prefix too short to expand is the word itself */
    { "fr*", 0, 0u, NULL, NULL, 0,
      "all: Query((((1.5 * fr OR 0.5 * Zfr) OR (0.2999999999999999889 * Cfr "
      "AND_NOT (1.5 * fr OR 0.5 * Zfr))) AND_MAYBE 1 * Tfr))\n" },
    { "fritids bank", 1, 0u, NULL, NULL, 0,
      "all: Query(((fritids OR 0.5 * (Zfritid OR fritid)) AND (1.5 * bank OR "
      "0.5 * Zbank)))\nany: Query(((fritids OR 0.5 * (Zfritid OR fritid)) OR "
      "(1.5 * bank OR 0.5 * Zbank)))\n" },
    { "vag bank", 1, 0u, NULL, NULL, 0,
      "all: Query(((1.5 * vag OR 0.5 * Zvag) AND (1.5 * bank OR 0.5 * "
      "Zbank)))\nany: Query(((1.5 * vag OR 0.5 * Zvag) OR (1.5 * bank OR 0.5 "
      "* Zbank)))\n" },
    { "Lindqvist", 1, 0u, NULL, NULL, 0,
      "all: Query((1.5 * lindqvist OR 0.5 * Zlindqvist))\n" },
};

/* Prints s as a C string literal, cut (indented for the table above)
 * after each newline and at a space before a word that would pass column
 * 79. */
static void print_literal(const char *s, size_t col)
{
    putchar('"');
    for (const char *c = s; *c; c++) {
        if (*c == '"' || *c == '\\')
            printf("\\%c", *c);
        else if (*c == '\n')
            fputs("\\n", stdout);
        else
            putchar(*c);
        col += *c == '"' || *c == '\\' || *c == '\n' ? 2 : 1;
        size_t next = strcspn(c + 1, " \n");
        if (c[1] && (*c == '\n' || (*c == ' ' && col + next > 74))) {
            fputs("\"\n      \"", stdout);
            col = 7;
        }
    }
    putchar('"');
}

static void print_case(const struct plan_case *c, int rc, const char *got)
{
    fputs("    { ", stdout);
    print_literal(c->q, 7);
    printf(", %d, %uu, ", c->plain, c->types);
    if (c->from != NULL)
        printf("\"%s\", ", c->from);
    else
        fputs("NULL, ", stdout);
    if (c->to != NULL)
        printf("\"%s\", %d,\n", c->to, rc);
    else
        printf("NULL, %d,\n", rc);
    fputs("      ", stdout);
    print_literal(got ? got : "", 7);
    fputs(" },\n", stdout);
}

static void test_case(void **state)
{
    const struct plan_case *c = *state;
    struct sok_search_req req = SOK_SEARCH_REQ_INIT;
    req.q = c->q;
    req.qlen = strlen(c->q);
    req.types = c->types;
    if (c->from != NULL)
        snprintf(req.from, sizeof req.from, "%s", c->from);
    if (c->to != NULL)
        snprintf(req.to, sizeof req.to, "%s", c->to);
    struct sok_err err = SOK_ERR_INIT;
    char *got = NULL;
    int rc = sok_plan_describe(c->plain ? g_plain : g_engine, &req, &got,
                               &err);
    if (getenv("SOK_PLAN_PRINT") != NULL)
        print_case(c, rc, got);
    int same = rc == c->code &&
               (rc != 0 ? got == NULL
                        : got != NULL && strcmp(got, c->want) == 0);
    if (!same)
        print_error("rc %d (want %d)\n got: %s\nwant: %s\n", rc, c->code,
                    got ? got : "(none)", c->want);
    free(got);
    assert_true(same);
}

/* Whether tier k of q's plan has a first query (the tier's query without
 * its proximity boost, hits.c's first pass), and that it keeps the title
 * boost but not the phrase. */
static int first_of(const char *q, size_t k)
{
    struct sok_search_req req = SOK_SEARCH_REQ_INIT;
    req.q = q;
    req.qlen = strlen(q);
    struct sok_err err = SOK_ERR_INIT;
    struct sok_hl *hl = calloc(1, sizeof *hl);
    struct sok_plan *p = NULL;
    assert_non_null(hl);
    assert_int_equal(sok_plan_new(g_engine, &req, hl, &err, &p), 0);
    assert_true(k < p->ntiers);
    int has = p->tier[k].first != NULL;
    if (has) {
        char *full = sok_xq_describe(p->tier[k].q);
        char *first = sok_xq_describe(p->tier[k].first);
        assert_non_null(strstr(full, "PHRASE"));
        assert_null(strstr(first, "PHRASE"));
        assert_non_null(strstr(first, "Tstödgrupper barn"));
        free(full);
        free(first);
    }
    sok_plan_free(p);
    free(hl);
    return has;
}

static void test_first(void **state)
{
    (void)state;
    assert_true(first_of("stödgrupper barn", 0));       /* all */
    assert_true(first_of("stödgrupper barn", 1));       /* any */
    assert_false(first_of("Fritidsbanken", 0));         /* one word */
    assert_false(first_of("\"romska barn\"", 0));       /* a phrase: no boost */
}

int main(void)
{
    enum { N = sizeof cases / sizeof cases[0] };
    struct CMUnitTest tests[N + 1];
    static char names[N][64];
    for (size_t i = 0; i < N; i++) {
        struct CMUnitTest t = cmocka_unit_test_prestate(test_case,
                                                        (void *)&cases[i]);
        snprintf(names[i], sizeof names[i], "%s%s",
                 cases[i].plain ? "--plain " : "", cases[i].q);
        t.name = names[i];
        tests[i] = t;
    }
    tests[N] = (struct CMUnitTest)cmocka_unit_test(test_first);
    return _cmocka_run_group_tests("plan", tests, N + 1, group_setup,
                                   group_teardown);
}

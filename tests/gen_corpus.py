#!/usr/bin/python3
"""Deterministic generated corpus for the indexer's scale and crash tests.

  gen_corpus.py --docs N --seed S --out DIR [--change FRAC --change-seed T]
                [--vocab V]

Writes DIR/NNN/NNNNNN.txt: a title line, blank line, then two to four
sections (a short heading line between blank lines, then a paragraph of
Swedish words).  The bytes depend only on the arguments, so two runs give the
same corpus.  With --change, a fraction of the documents get different text
(chosen by --change-seed), a few are deleted and a few new ones are added:
the "next night" of the same corpus.  With --vocab, the documents also hold V
made-up words between them (each in one document, in a closing paragraph), for
tests that need a large vocabulary, such as the spelling deletion index built
over it.
"""
import argparse, os, random

WORDS = """och att det som en på är av för med till den har de inte om ett men
han var jag så vi kan ska man när från eller nu detta också alla mycket där
socialförvaltningen barn unga familj stöd grupp projekt arbete möte förening
stad helsingborg kommun invånare utveckling samverkan verksamhet tjänst
fritidsbanken eftermiddagsskola skolarbetet socialtjänsten arbetsmarknaden
försörjningsstöd ungdomar föräldrar hälsa träning kost skola förskola
minnesanteckningar kallelse närvarande dagordning beslut socialnämnden
rapport utvärdering medborgartjänst taligenkänning digitalisering
kvinnobehandlingen behandling missbruk boende bostad först lägenhet
sysselsättning arbetsträning praktik anställning studier utbildning
kompetens handläggare socialsekreterare brukare delaktighet erfarenhet
nätverk workshop konferens presentation information kontakt anmälan
möjlighet resultat ansvar uppdrag förslag planering genomförande
uppföljning kartläggning analys mål plan åtgärd insats område lokal
""".split()
TITLES = ["Gemensam utvecklingsgrupp", "Rapport om", "Nytt projekt för",
          "Kallelse till möte om", "Minnesanteckningar om", "Satsning på"]
MONTHS = ["januari", "februari", "mars", "april", "maj", "juni", "juli",
          "augusti", "september", "oktober", "november", "december"]


def para(rng, n):
    ws = [rng.choice(WORDS) for _ in range(n)]
    ws[0] = ws[0].capitalize()
    return " ".join(ws) + "."


def document(i, version, rng):
    title = "%s %s %d %s %d" % (rng.choice(TITLES), rng.choice(WORDS[20:]),
                                rng.randint(1, 28), rng.choice(MONTHS),
                                rng.randint(2010, 2024))
    parts = [title, ""]
    for s in range(rng.randint(2, 4)):
        parts += ["Avsnitt %d %s" % (s + 1, rng.choice(WORDS[20:]).capitalize()), "",
                  para(rng, rng.randint(20, 60)), ""]
    parts.append("Dokument %d version %d." % (i, version))
    return "\n".join(parts) + "\n"


def made_up(n, seed):
    """n distinct made-up words of 5 to 9 letters, none of them in WORDS."""
    rng = random.Random(seed * 7_919 + 13)
    letters = "abcdefghijklmnoprstuvyåäö"
    seen = set(WORDS)
    out = []
    while len(out) < n:
        w = "".join(rng.choice(letters) for _ in range(rng.randint(5, 9)))
        if w not in seen:
            seen.add(w)
            out.append(w)
    return out


def write(out, i, text):
    d = os.path.join(out, "%03d" % (i // 1000))
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "%06d.txt" % i), "w", encoding="utf-8") as f:
        f.write(text)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--docs", type=int, required=True)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", required=True)
    ap.add_argument("--change", type=float, default=0.0)
    ap.add_argument("--change-seed", type=int, default=2)
    ap.add_argument("--vocab", type=int, default=0)
    a = ap.parse_args()
    extra = made_up(a.vocab, a.seed) if a.vocab else []
    ch = random.Random(a.change_seed)
    changed = set(ch.sample(range(a.docs), int(a.docs * a.change))) if a.change else set()
    deleted = set(ch.sample(sorted(changed), len(changed) // 10)) if changed else set()
    for i in range(a.docs):
        if i in deleted:
            path = os.path.join(a.out, "%03d" % (i // 1000), "%06d.txt" % i)
            if os.path.exists(path):
                os.remove(path)
            continue
        version = 2 if i in changed else 1
        rng = random.Random(a.seed * 1_000_003 + i * 7 + version)
        text = document(i, version, rng)
        if extra:
            own = extra[i * len(extra) // a.docs:(i + 1) * len(extra) // a.docs]
            text += "\n" + " ".join(own) + ".\n"
        write(a.out, i, text)
    if a.change:  # new documents for the next night
        for i in range(a.docs, a.docs + max(1, len(deleted))):
            write(a.out, i, document(i, 1, random.Random(a.seed * 1_000_003 + i * 7 + 1)))


if __name__ == "__main__":
    main()

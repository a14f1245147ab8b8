/*
 * LuceneBench: Lucene 8.8 (Debian's liblucene8-java) as an engine of make
 * bench, beside sok, omindex/Omega and SQLite FTS5, on the same files and
 * the same 200-query mix (tests/bench/lucene.py drives it; tests/bench/
 * README.md says how each query kind maps to a Lucene query).
 *
 *   java LuceneBench index INDEX_DIR CORPUS_DIR THREADS
 *       Indexes every .txt file under CORPUS_DIR (line 1 title, line 2 ISO
 *       date, blank line, body) into a new index: SwedishAnalyzer with no
 *       stopwords, BM25, title and body stored, MMapDirectory, THREADS
 *       threads calling addDocument.  Prints "docs=N seconds=S segments=K".
 *
 *   java LuceneBench query INDEX_DIR MIX_TSV WARMUP
 *       Runs the mix (one query a line, lucene.py writes it) WARMUP times
 *       through every mode, then once per mode: plain and highlighted, one
 *       thread and two.  Prints "mode round index ms total" per query and
 *       "# mode=M queries=Q seconds=S qps=X" per mode.
 */
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.CharArraySet;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.sv.SwedishAnalyzer;
import org.apache.lucene.analysis.tokenattributes.CharTermAttribute;
import org.apache.lucene.analysis.tokenattributes.PositionIncrementAttribute;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.IntPoint;
import org.apache.lucene.document.StoredField;
import org.apache.lucene.document.StringField;
import org.apache.lucene.document.TextField;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.BoostQuery;
import org.apache.lucene.search.FuzzyQuery;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.MatchNoDocsQuery;
import org.apache.lucene.search.PhraseQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.search.TopScoreDocCollector;
import org.apache.lucene.search.similarities.BM25Similarity;
import org.apache.lucene.search.uhighlight.UnifiedHighlighter;
import org.apache.lucene.store.MMapDirectory;

public final class LuceneBench {
    static final float TITLE_BOOST = 2.0f;   /* sok weighs title words 4x (wdf) */
    static final int PER_PAGE = 10;
    static final int TOTAL_HITS_THRESHOLD = 10000;  /* ES track_total_hits */
    static final int FUZZY_MAX_EXPANSIONS = 50;     /* ES's default */

    static Analyzer analyzer() {
        return new SwedishAnalyzer(CharArraySet.EMPTY_SET);
    }

    // ------------------------------------------------------------ indexing

    static Document parse(Path f) throws IOException {
        String t = new String(Files.readAllBytes(f), StandardCharsets.UTF_8);
        String[] l = t.split("\n", 4);
        String title = l.length > 0 ? l[0] : "";
        String date = l.length > 1 ? l[1].trim() : "";
        String body = l.length > 3 ? l[3] : "";
        Document d = new Document();
        d.add(new StringField("path", f.toString(), Field.Store.YES));
        d.add(new TextField("title", title, Field.Store.YES));
        d.add(new TextField("body", body, Field.Store.YES));
        /* every file of the synthetic corpus is a plain text section: sok
         * types it "other"; the filter kind asks for that type */
        d.add(new StringField("type", "other", Field.Store.NO));
        int ymd = ymd(date);
        if (ymd > 0)
            d.add(new IntPoint("date", ymd));
        d.add(new StoredField("date_s", date));
        return d;
    }

    static int ymd(String iso) {
        if (!iso.matches("\\d{4}-\\d{2}-\\d{2}"))
            return 0;
        return Integer.parseInt(iso.replace("-", ""));
    }

    static void index(String dir, String corpus, int threads) throws Exception {
        List<Path> files;
        try (Stream<Path> s = Files.walk(Paths.get(corpus))) {
            files = s.filter(p -> p.toString().endsWith(".txt")).sorted()
                     .collect(Collectors.toList());
        }
        long t0 = System.nanoTime();
        IndexWriterConfig cfg = new IndexWriterConfig(analyzer());
        cfg.setSimilarity(new BM25Similarity());
        cfg.setOpenMode(IndexWriterConfig.OpenMode.CREATE);
        cfg.setRAMBufferSizeMB(128);
        int nseg;
        try (MMapDirectory d = new MMapDirectory(Paths.get(dir))) {
            IndexWriter w = new IndexWriter(d, cfg);
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            AtomicInteger next = new AtomicInteger();
            List<java.util.concurrent.Future<?>> fs = new ArrayList<>();
            for (int i = 0; i < threads; i++)
                fs.add(pool.submit(() -> {
                    for (int k; (k = next.getAndIncrement()) < files.size(); )
                        w.addDocument(parse(files.get(k)));
                    return null;
                }));
            for (java.util.concurrent.Future<?> f : fs)
                f.get();
            pool.shutdown();
            w.commit();
            w.close();
            try (DirectoryReader r = DirectoryReader.open(d)) {
                nseg = r.leaves().size();
            }
        }
        double secs = (System.nanoTime() - t0) / 1e9;
        System.out.printf("docs=%d seconds=%.3f segments=%d%n", files.size(), secs, nseg);
    }

    // ------------------------------------------------------------ queries

    /* One line of the mix: kind, words, phrase 0/1, from, to, type, page. */
    static final class Q {
        String kind;
        String[] words;
        boolean phrase;
        String from, to, type;
        int page;
        Query query;
    }

    static List<String> analyze(Analyzer a, String text, List<Integer> pos) throws IOException {
        List<String> out = new ArrayList<>();
        try (TokenStream ts = a.tokenStream("body", text)) {
            CharTermAttribute ct = ts.addAttribute(CharTermAttribute.class);
            PositionIncrementAttribute pi = ts.addAttribute(PositionIncrementAttribute.class);
            ts.reset();
            int p = -1;
            while (ts.incrementToken()) {
                p += pi.getPositionIncrement();
                out.add(ct.toString());
                if (pos != null)
                    pos.add(p);
            }
            ts.end();
        }
        return out;
    }

    /* ES "fuzziness": AUTO: 0 edits up to 2 characters, 1 up to 5, else 2. */
    static int autoEdits(String term) {
        int n = term.codePointCount(0, term.length());
        return n <= 2 ? 0 : n <= 5 ? 1 : 2;
    }

    /* A term in the title (boosted) or the body. */
    static Query either(Query title, Query body) {
        return new BooleanQuery.Builder()
            .add(new BoostQuery(title, TITLE_BOOST), BooleanClause.Occur.SHOULD)
            .add(body, BooleanClause.Occur.SHOULD).build();
    }

    static Query termQuery(String field, String t, boolean fuzzy) {
        Term term = new Term(field, t);
        int e = fuzzy ? autoEdits(t) : 0;
        if (e == 0)
            return new TermQuery(term);
        return new FuzzyQuery(term, e, 0, FUZZY_MAX_EXPANSIONS, true);
    }

    static Query phraseQuery(String field, List<String> terms, List<Integer> pos) {
        PhraseQuery.Builder b = new PhraseQuery.Builder();
        for (int i = 0; i < terms.size(); i++)
            b.add(new Term(field, terms.get(i)), pos.get(i));
        return b.build();
    }

    static Query build(Analyzer a, Q q) throws IOException {
        BooleanQuery.Builder b = new BooleanQuery.Builder();
        String text = String.join(" ", q.words);
        if (q.phrase) {
            List<Integer> pos = new ArrayList<>();
            List<String> terms = analyze(a, text, pos);
            if (terms.isEmpty())
                return new MatchNoDocsQuery();
            b.add(either(phraseQuery("title", terms, pos), phraseQuery("body", terms, pos)),
                  BooleanClause.Occur.MUST);
        } else {
            boolean fuzzy = q.kind.equals("typo");
            for (String t : analyze(a, text, null))
                b.add(either(termQuery("title", t, fuzzy), termQuery("body", t, fuzzy)),
                      BooleanClause.Occur.MUST);
        }
        if (q.type != null && !q.type.isEmpty())
            b.add(new TermQuery(new Term("type", q.type)), BooleanClause.Occur.FILTER);
        if (q.from != null && !q.from.isEmpty())
            b.add(IntPoint.newRangeQuery("date", ymd(q.from), ymd(q.to)), BooleanClause.Occur.FILTER);
        return b.build();
    }

    static List<Q> readMix(Analyzer a, String file) throws IOException {
        List<Q> mix = new ArrayList<>();
        for (String line : Files.readAllLines(Paths.get(file), StandardCharsets.UTF_8)) {
            if (line.isEmpty())
                continue;
            String[] f = line.split("\t", -1);
            Q q = new Q();
            q.kind = f[0];
            q.words = f[1].split(" ");
            q.phrase = f[2].equals("1");
            q.from = f[3];
            q.to = f[4];
            q.type = f[5];
            q.page = f[6].isEmpty() ? 1 : Integer.parseInt(f[6]);
            q.query = build(a, q);
            mix.add(q);
        }
        return mix;
    }

    /* Runs one query: the page's hits, the total counted up to the
     * threshold, and with hl the highlighted title and best body passage of
     * each hit on the page.  Returns the total (the lower bound when past
     * the threshold). */
    static long runOne(IndexSearcher s, UnifiedHighlighter uh, Q q) throws IOException {
        int n = q.page * PER_PAGE;
        TopScoreDocCollector c = TopScoreDocCollector.create(n, TOTAL_HITS_THRESHOLD);
        s.search(q.query, c);
        TopDocs top = c.topDocs((q.page - 1) * PER_PAGE, PER_PAGE);
        if (uh != null && top.scoreDocs.length > 0) {
            java.util.Map<String, String[]> hl = uh.highlightFields(
                new String[] {"title", "body"}, q.query, top, new int[] {1, 1});
            if (hl.get("body").length != top.scoreDocs.length)
                throw new IllegalStateException("highlight count");
        } else {
            for (org.apache.lucene.search.ScoreDoc sd : top.scoreDocs)
                s.doc(sd.doc);     /* the stored title and body, as sok reads its document data */
        }
        return top.totalHits.value;
    }

    static final class Mode {
        final String name;
        final boolean hl;
        final int threads;
        Mode(String n, boolean h, int t) { name = n; hl = h; threads = t; }
    }

    /* One pass of the mix per thread; per-query ms and totals (thread 0's
     * totals) into ms/tot; returns wall seconds. */
    static double pass(IndexSearcher s, UnifiedHighlighter uh, List<Q> mix, Mode m,
                       double[][] ms, long[] tot) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(m.threads);
        List<java.util.concurrent.Future<?>> fs = new ArrayList<>();
        long t0 = System.nanoTime();
        for (int th = 0; th < m.threads; th++) {
            final int id = th;
            fs.add(pool.submit(() -> {
                /* the second thread starts half way through the mix so the
                 * two do not run the same query at the same time */
                int off = id * mix.size() / Math.max(1, m.threads);
                for (int k = 0; k < mix.size(); k++) {
                    int i = (k + off) % mix.size();
                    long a = System.nanoTime();
                    long t = runOne(s, m.hl ? uh : null, mix.get(i));
                    ms[id][i] = (System.nanoTime() - a) / 1e6;
                    if (id == 0)
                        tot[i] = t;
                }
                return null;
            }));
        }
        for (java.util.concurrent.Future<?> f : fs)
            f.get();
        double secs = (System.nanoTime() - t0) / 1e9;
        pool.shutdown();
        pool.awaitTermination(1, TimeUnit.MINUTES);
        return secs;
    }

    static void query(String dir, String mixFile, int warmup) throws Exception {
        Analyzer a = analyzer();
        List<Q> mix = readMix(a, mixFile);
        try (MMapDirectory d = new MMapDirectory(Paths.get(dir));
             DirectoryReader r = DirectoryReader.open(d)) {
            IndexSearcher s = new IndexSearcher(r);
            s.setSimilarity(new BM25Similarity());
            UnifiedHighlighter uh = new UnifiedHighlighter(s, a);
            Mode[] modes = {
                new Mode("plain1", false, 1), new Mode("hl1", true, 1),
                new Mode("plain2", false, 2), new Mode("hl2", true, 2),
            };
            double[][] ms = new double[2][mix.size()];
            long[] tot = new long[mix.size()];
            for (int w = 0; w < warmup; w++)
                for (Mode m : modes)
                    pass(s, uh, mix, m, ms, tot);
            StringBuilder out = new StringBuilder();
            for (Mode m : modes) {
                double secs = pass(s, uh, mix, m, ms, tot);
                for (int th = 0; th < m.threads; th++)
                    for (int i = 0; i < mix.size(); i++)
                        out.append(String.format("%s %d %d %.4f %d%n", m.name, th, i, ms[th][i], tot[i]));
                int nq = mix.size() * m.threads;
                out.append(String.format("# mode=%s queries=%d seconds=%.4f qps=%.1f%n",
                                         m.name, nq, secs, nq / secs));
            }
            System.out.print(out);
        }
    }

    public static void main(String[] args) {
        try {
            if (args.length == 4 && args[0].equals("index")) {
                index(args[1], args[2], Integer.parseInt(args[3]));
            } else if (args.length == 4 && args[0].equals("query")) {
                query(args[1], args[2], Integer.parseInt(args[3]));
            } else {
                System.err.println("usage: LuceneBench index DIR CORPUS THREADS | query DIR MIX_TSV WARMUP");
                System.exit(1);
            }
        } catch (Throwable t) {
            /* exit even while a pool thread is still alive */
            t.printStackTrace();
            System.exit(2);
        }
        System.exit(0);
    }
}

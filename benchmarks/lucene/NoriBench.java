// The Lucene + Nori reference for benchmarks/run.py: indexes the same JSONL
// corpus (id, title, body) with Nori's KoreanAnalyzer and runs the same queries,
// printing one JSON object of measurements on stdout.
//
//   java -cp "/usr/share/java/*:classes" NoriBench index CORPUS INDEX_DIR THREADS
//   java -cp "/usr/share/java/*:classes" NoriBench query INDEX_DIR QUERIES ROUNDS THREADS SECONDS
//
// Built against Debian's liblucene8-java (Lucene 8.7 with analyzers-nori); no
// other dependency, so the JSON reading below is a small hand-written parser.

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.ko.KoreanAnalyzer;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.StringField;
import org.apache.lucene.document.TextField;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.queryparser.classic.MultiFieldQueryParser;
import org.apache.lucene.queryparser.classic.QueryParser;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.store.FSDirectory;

public class NoriBench {

    public static void main(String[] args) throws Exception {
        if (args.length >= 4 && args[0].equals("index")) {
            index(Paths.get(args[1]), Paths.get(args[2]), Integer.parseInt(args[3]));
        } else if (args.length >= 6 && args[0].equals("query")) {
            query(Paths.get(args[1]), Paths.get(args[2]), Integer.parseInt(args[3]),
                  Integer.parseInt(args[4]), Double.parseDouble(args[5]));
        } else {
            System.err.println("usage: NoriBench index CORPUS DIR THREADS | query DIR QUERIES ROUNDS THREADS SECONDS");
            System.exit(2);
        }
    }

    // ------------------------------------------------------------------ indexing

    static void index(Path corpus, Path dir, int threads) throws Exception {
        long started = System.nanoTime();
        Analyzer analyzer = new KoreanAnalyzer();
        IndexWriterConfig config = new IndexWriterConfig(analyzer);
        config.setOpenMode(IndexWriterConfig.OpenMode.CREATE);
        config.setRAMBufferSizeMB(256);
        AtomicLong docs = new AtomicLong();
        AtomicLong chars = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        try (FSDirectory directory = FSDirectory.open(dir);
             IndexWriter writer = new IndexWriter(directory, config);
             BufferedReader lines = Files.newBufferedReader(corpus, StandardCharsets.UTF_8)) {
            Thread[] workers = new Thread[threads];
            for (int t = 0; t < threads; t++) {
                workers[t] = new Thread(() -> {
                    try {
                        while (true) {
                            String line;
                            synchronized (lines) {
                                line = lines.readLine();
                            }
                            if (line == null) {
                                return;
                            }
                            if (line.isBlank()) {
                                continue;
                            }
                            Map<String, Object> record;
                            try {
                                record = asMap(new Json(line).value());
                            } catch (RuntimeException e) {
                                failed.incrementAndGet();
                                continue;
                            }
                            String id = text(record.get("id"));
                            String title = text(record.get("title"));
                            String body = text(record.get("body"));
                            Document doc = new Document();
                            doc.add(new StringField("id", id, Field.Store.YES));
                            doc.add(new TextField("title", title, Field.Store.YES));
                            doc.add(new TextField("body", body, Field.Store.YES));
                            writer.addDocument(doc);
                            docs.incrementAndGet();
                            chars.addAndGet(title.length() + body.length());
                        }
                    } catch (IOException e) {
                        throw new RuntimeException(e);
                    }
                });
                workers[t].start();
            }
            for (Thread worker : workers) {
                worker.join();
            }
            writer.commit();
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        System.out.printf("{\"docs\": %d, \"failed\": %d, \"characters\": %d, \"seconds\": %.3f, \"threads\": %d}%n",
                          docs.get(), failed.get(), chars.get(), seconds, threads);
    }

    static String text(Object value) {
        if (value == null) {
            return "";
        }
        if (value instanceof List) {
            StringBuilder out = new StringBuilder();
            for (Object item : (List<?>) value) {
                if (out.length() > 0) {
                    out.append('\n');
                }
                out.append(text(item));
            }
            return out.toString();
        }
        return value.toString();
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> asMap(Object value) {
        if (!(value instanceof Map)) {
            throw new IllegalArgumentException("not a JSON object");
        }
        return (Map<String, Object>) value;
    }

    // ------------------------------------------------------------------ queries

    static List<String> readQueries(Path path) throws IOException {
        List<String> queries = new ArrayList<>();
        for (String line : Files.readAllLines(path, StandardCharsets.UTF_8)) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            int tab = line.indexOf('\t');
            queries.add(tab >= 0 ? line.substring(tab + 1).trim() : line.trim());
        }
        return queries;
    }

    static MultiFieldQueryParser parser(Analyzer analyzer) {
        MultiFieldQueryParser parser = new MultiFieldQueryParser(new String[] {"title", "body"}, analyzer);
        parser.setDefaultOperator(QueryParser.Operator.AND);
        // A word Nori splits (삼성전자 → 삼성 전자) must match as a phrase, as in news-search.
        parser.setSplitOnWhitespace(true);
        parser.setAutoGeneratePhraseQueries(true);
        return parser;
    }

    static int runQuery(IndexSearcher searcher, MultiFieldQueryParser parser, String text) throws Exception {
        Query query = parser.parse(text);
        TopDocs top = searcher.search(query, 10);
        for (ScoreDoc hit : top.scoreDocs) {
            searcher.doc(hit.doc).get("id");
        }
        return top.scoreDocs.length;
    }

    static void query(Path dir, Path queriesPath, int rounds, int threads, double seconds) throws Exception {
        List<String> queries = readQueries(queriesPath);
        Analyzer analyzer = new KoreanAnalyzer();
        try (FSDirectory directory = FSDirectory.open(dir);
             DirectoryReader reader = DirectoryReader.open(directory)) {
            IndexSearcher searcher = new IndexSearcher(reader);
            MultiFieldQueryParser parser = parser(analyzer);
            int errors = 0;
            for (int warm = 0; warm < 3; warm++) {  // let the JIT compile the hot paths
                for (String q : queries) {
                    try {
                        runQuery(searcher, parser, q);
                    } catch (Exception e) {
                        errors++;
                    }
                }
            }
            StringBuilder roundsJson = new StringBuilder();
            for (int round = 0; round < rounds; round++) {
                double[] ms = new double[queries.size()];
                for (int i = 0; i < queries.size(); i++) {
                    long t0 = System.nanoTime();
                    try {
                        runQuery(searcher, parser, queries.get(i));
                    } catch (Exception e) {
                        // counted in the warm-up
                    }
                    ms[i] = (System.nanoTime() - t0) / 1e6;
                }
                Arrays.sort(ms);
                if (round > 0) {
                    roundsJson.append(", ");
                }
                roundsJson.append(String.format("{\"p50\": %.4f, \"p95\": %.4f, \"p99\": %.4f}",
                                                pct(ms, 50), pct(ms, 95), pct(ms, 99)));
            }
            // Throughput: `threads` searchers share the reader, each with its own parser.
            AtomicLong done = new AtomicLong();
            long deadline = System.nanoTime() + (long) (seconds * 1e9);
            Thread[] workers = new Thread[threads];
            for (int t = 0; t < threads; t++) {
                final int offset = t * 37;
                workers[t] = new Thread(() -> {
                    MultiFieldQueryParser own = parser(new KoreanAnalyzer());
                    int i = offset;
                    while (System.nanoTime() < deadline) {
                        try {
                            runQuery(searcher, own, queries.get(i % queries.size()));
                        } catch (Exception e) {
                            // counted in the warm-up
                        }
                        done.incrementAndGet();
                        i++;
                    }
                });
                workers[t].start();
            }
            long t0 = System.nanoTime();
            for (Thread worker : workers) {
                worker.join();
            }
            double elapsed = (System.nanoTime() - t0) / 1e9;
            System.out.printf("{\"queries\": %d, \"parse_errors\": %d, \"rounds\": [%s], \"threads\": %d, \"qps\": %.1f, \"docs\": %d}%n",
                              queries.size(), errors / 3, roundsJson, threads, done.get() / elapsed, reader.numDocs());
        }
    }

    static double pct(double[] sorted, double p) {
        int index = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
    }

    // ------------------------------------------------------------------ JSON

    /** Just enough JSON for one corpus line: objects, arrays, strings, numbers, literals. */
    static final class Json {
        private final String s;
        private int i;

        Json(String s) {
            this.s = s;
        }

        Object value() {
            skip();
            char c = s.charAt(i);
            switch (c) {
                case '{':
                    return object();
                case '[':
                    return array();
                case '"':
                    return string();
                case 't':
                    i += 4;
                    return Boolean.TRUE;
                case 'f':
                    i += 5;
                    return Boolean.FALSE;
                case 'n':
                    i += 4;
                    return null;
                default:
                    return number();
            }
        }

        private void skip() {
            while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
                i++;
            }
        }

        private Map<String, Object> object() {
            Map<String, Object> out = new HashMap<>();
            i++;
            skip();
            if (s.charAt(i) == '}') {
                i++;
                return out;
            }
            while (true) {
                skip();
                String key = string();
                skip();
                expect(':');
                out.put(key, value());
                skip();
                if (s.charAt(i) == ',') {
                    i++;
                    continue;
                }
                expect('}');
                return out;
            }
        }

        private List<Object> array() {
            List<Object> out = new ArrayList<>();
            i++;
            skip();
            if (s.charAt(i) == ']') {
                i++;
                return out;
            }
            while (true) {
                out.add(value());
                skip();
                if (s.charAt(i) == ',') {
                    i++;
                    continue;
                }
                expect(']');
                return out;
            }
        }

        private String string() {
            expect('"');
            StringBuilder out = new StringBuilder();
            while (true) {
                char c = s.charAt(i++);
                if (c == '"') {
                    return out.toString();
                }
                if (c != '\\') {
                    out.append(c);
                    continue;
                }
                char e = s.charAt(i++);
                switch (e) {
                    case 'n': out.append('\n'); break;
                    case 't': out.append('\t'); break;
                    case 'r': out.append('\r'); break;
                    case 'b': out.append('\b'); break;
                    case 'f': out.append('\f'); break;
                    case 'u':
                        out.append((char) Integer.parseInt(s.substring(i, i + 4), 16));
                        i += 4;
                        break;
                    default: out.append(e);
                }
            }
        }

        private Object number() {
            int start = i;
            while (i < s.length() && "+-0123456789.eE".indexOf(s.charAt(i)) >= 0) {
                i++;
            }
            if (start == i) {
                throw new IllegalArgumentException("unexpected character at " + i);
            }
            return Double.parseDouble(s.substring(start, i));
        }

        private void expect(char c) {
            if (s.charAt(i) != c) {
                throw new IllegalArgumentException("expected '" + c + "' at " + i);
            }
            i++;
        }
    }
}

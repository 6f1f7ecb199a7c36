package io.deepnets.serve;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.deepnets.BadInputException;
import io.deepnets.config.YamlDocuments;
import io.deepnets.eval.ClassMetrics;
import io.deepnets.predict.ImagePreprocessor;
import io.deepnets.report.NetworkDiagram;
import io.deepnets.runs.EpochResult;
import io.deepnets.runs.PredictionsCsv;
import io.deepnets.runs.RunContents;
import io.deepnets.runs.SweepFolder;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import javax.imageio.ImageIO;

/**
 * The web application of {@code serve}: pages and scripts from the jar, the JSON API over a {@link RunCatalog}, live
 * event streams, and predictions with a run's network. Every refusal is one JSON line with its status (400, 403, 404,
 * 405, 413); nothing a client sends stops the server.
 *
 * <p>Safety: files are served only from below a served folder (each path segment decoded and checked: no {@code ..},
 * no absolute path, no link leading out), folders are only read, an upload is limited and decoded with predict's
 * limits, a POST from another origin is refused, and a server bound to the loopback answers only requests addressed to
 * a loopback name (a web page elsewhere cannot reach it by rebinding its own name to 127.0.0.1).
 */
public final class RunServer implements AutoCloseable {
    /** The most event streams open at once; past it a new one is answered 503. */
    static final int MAX_STREAMS = 100;
    private static final String WEB = "io/deepnets/serve/web/";
    private static final String WEBJARS = "META-INF/resources/webjars/";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final RunCatalog catalog;
    private final HttpServer server;
    private final ExecutorService pool;
    private final ModelPlayground playground = new ModelPlayground();
    private final TestImages testImages;
    private final boolean loopback;
    private final AtomicInteger streams = new AtomicInteger();
    private volatile boolean stopping;

    /**
     * Binds {@code host:port} (port 0: any free port) over the run folders under {@code roots}; {@code dataDir} (may be
     * null) is where test images are looked for. A root that does not exist yet is
     * served as empty until it appears.
     */
    public RunServer(List<Path> roots, String host, int port, Path dataDir) throws IOException {
        this.catalog = new RunCatalog(roots);
        this.testImages = new TestImages(dataDir);
        InetAddress address;
        try {
            address = InetAddress.getByName(host);
        } catch (IOException e) {
            throw new BadInputException("--host " + host + ": not an address or name of this machine");
        }
        this.loopback = address.isLoopbackAddress();
        try {
            server = HttpServer.create(new InetSocketAddress(address, port), 64);
        } catch (java.net.BindException e) {
            throw new BadInputException("--port " + port + ": " + host + ":" + port + " is in use or not this machine's (" + e.getMessage()
                    + "); choose another with --port");
        }
        AtomicInteger n = new AtomicInteger();
        pool = Executors.newFixedThreadPool(MAX_STREAMS + 32, r -> {
            Thread t = new Thread(r, "serve-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(pool);
        server.createContext("/", this::handle);
    }

    public void start() {
        server.start();
        catalog.snapshot();
    }

    /** The address pages are served at. */
    public URI url() {
        InetSocketAddress a = server.getAddress();
        String host = a.getAddress().isAnyLocalAddress() ? "127.0.0.1" : a.getAddress().getHostAddress();
        if (host.contains(":")) {
            host = "[" + host + "]";
        }
        return URI.create("http://" + host + ":" + a.getPort() + "/");
    }

    public RunCatalog catalog() {
        return catalog;
    }

    @Override
    public void close() {
        stopping = true;
        server.stop(0);
        pool.shutdownNow();
    }

    private void handle(HttpExchange ex) {
        try (ex) {
            try {
                route(ex);
            } catch (ApiError e) {
                sendError(ex, e.status(), e.getMessage());
            } catch (BadInputException e) {
                sendError(ex, 400, e.getMessage());
            } catch (IOException e) {
                // the client went away
            } catch (RuntimeException | Error e) {
                sendError(ex, 500, "internal error (" + io.deepnets.FailureText.describe(e) + ")");
            }
        } catch (RuntimeException e) {
            // closing a broken connection
        }
    }

    private void route(HttpExchange ex) throws IOException {
        String method = ex.getRequestMethod();
        checkHost(ex);
        String raw = ex.getRequestURI().getRawPath();
        if (raw == null || !raw.startsWith("/")) {
            throw ApiError.badRequest("bad request path");
        }
        List<String> parts = segments(raw);
        if (method.equals("POST")) {
            checkOrigin(ex);
            if (parts.size() == 4 && parts.get(0).equals("api") && parts.get(1).equals("runs") && parts.get(3).equals("predict")) {
                predict(ex, parts.get(2));
                return;
            }
            throw new ApiError(405, "POST is only for /api/runs/{id}/predict");
        }
        if (!method.equals("GET") && !method.equals("HEAD")) {
            throw new ApiError(405, method + " is not served here (GET, or POST to /api/runs/{id}/predict)");
        }
        if (parts.isEmpty() || parts.equals(List.of("index.html"))) {
            sendResource(ex, WEB + "index.html");
        } else if (parts.get(0).equals("static")) {
            sendResource(ex, WEB + String.join("/", parts.subList(1, parts.size())));
        } else if (parts.get(0).equals("webjars")) {
            sendResource(ex, WEBJARS + String.join("/", parts.subList(1, parts.size())));
        } else if (parts.get(0).equals("api")) {
            api(ex, parts.subList(1, parts.size()));
        } else {
            throw ApiError.notFound("no such page: " + raw);
        }
    }

    private void api(HttpExchange ex, List<String> p) throws IOException {
        if (p.equals(List.of("runs"))) {
            sendJson(ex, 200, catalog.snapshot().runs().stream().map(RunCatalog.RunEntry::json).toList());
        } else if (p.equals(List.of("events"))) {
            catalogEvents(ex);
        } else if (p.equals(List.of("sweeps"))) {
            List<Map<String, Object>> out = new ArrayList<>();
            for (RunCatalog.SweepEntry s : catalog.snapshot().sweeps()) {
                out.add(Map.of("id", s.id(), "name", s.name(), "folder", s.folder()));
            }
            sendJson(ex, 200, out);
        } else if (p.size() == 2 && p.get(0).equals("sweeps")) {
            sendJson(ex, 200, sweep(p.get(1)));
        } else if (p.size() >= 2 && p.get(0).equals("runs")) {
            RunCatalog.RunEntry run = catalog.run(p.get(1));
            if (run == null) {
                throw ApiError.notFound("no run " + p.get(1));
            }
            if (p.size() == 2) {
                sendJson(ex, 200, details(run));
            } else if (p.size() == 3 && p.get(2).equals("events")) {
                runEvents(ex, run.id());
            } else if (p.size() == 3 && p.get(2).equals("cell")) {
                sendJson(ex, 200, cell(run, query(ex)));
            } else if (p.size() == 4 && p.get(2).equals("test-images") && p.get(3).matches("\\d{1,9}\\.png")) {
                java.awt.image.BufferedImage img = testImages.image(run.dir(), Integer.parseInt(p.get(3).replace(".png", "")));
                ByteArrayOutputStream png = new ByteArrayOutputStream();
                ImageIO.write(io.deepnets.explain.Overlays.enlargedTo(img, 64), "png", png);
                send(ex, 200, "image/png", png.toByteArray());
            } else if (p.size() >= 4 && p.get(2).equals("files")) {
                sendRunFile(ex, run, p.subList(3, p.size()));
            } else {
                throw ApiError.notFound("no such API path");
            }
        } else {
            throw ApiError.notFound("no such API path (see /api/runs)");
        }
    }

    // ---- requests

    /** The decoded segments of a raw path; any segment that could leave a folder is refused with 404. */
    static List<String> segments(String rawPath) {
        List<String> out = new ArrayList<>();
        for (String s : rawPath.split("/", -1)) {
            if (s.isEmpty()) {
                continue;
            }
            String d;
            try {
                d = URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                throw ApiError.notFound("no such path");
            }
            if (d.equals("..") || d.equals(".") || d.contains("/") || d.contains("\\") || d.contains("\0") || d.contains(":")) {
                throw ApiError.notFound("no such path");
            }
            out.add(d);
        }
        return out;
    }

    private static Map<String, String> query(HttpExchange ex) {
        Map<String, String> q = new LinkedHashMap<>();
        String raw = ex.getRequestURI().getRawQuery();
        if (raw == null) {
            return q;
        }
        for (String kv : raw.split("&")) {
            int i = kv.indexOf('=');
            try {
                q.put(URLDecoder.decode(i < 0 ? kv : kv.substring(0, i), StandardCharsets.UTF_8),
                        i < 0 ? "" : URLDecoder.decode(kv.substring(i + 1), StandardCharsets.UTF_8));
            } catch (IllegalArgumentException e) {
                throw ApiError.badRequest("bad query string");
            }
        }
        return q;
    }

    private void checkHost(HttpExchange ex) {
        if (!loopback) {
            return;
        }
        String host = ex.getRequestHeaders().getFirst("Host");
        if (host == null) {
            return;
        }
        String name = host.startsWith("[") ? host.substring(0, host.indexOf(']') + 1) : host.replaceAll(":\\d*$", "");
        if (!(name.equals("localhost") || name.equals("127.0.0.1") || name.equals("[::1]") || name.endsWith(".localhost"))) {
            throw new ApiError(403, "this server answers only requests to localhost (it listens on the loopback)");
        }
    }

    private void checkOrigin(HttpExchange ex) {
        String origin = ex.getRequestHeaders().getFirst("Origin");
        String site = ex.getRequestHeaders().getFirst("Sec-Fetch-Site");
        if (site != null && site.equals("cross-site")) {
            throw new ApiError(403, "POST requests from another site are refused");
        }
        if (origin == null) {
            return;                                    // curl and scripts send none
        }
        String host = ex.getRequestHeaders().getFirst("Host");
        if (host == null || !(origin.equals("http://" + host) || origin.equals("https://" + host))) {
            throw new ApiError(403, "POST requests from another origin (" + origin + ") are refused");
        }
    }

    // ---- answers

    private Map<String, Object> details(RunCatalog.RunEntry entry) {
        RunContents run = RunContents.read(entry.dir());
        Map<String, Object> m = new LinkedHashMap<>(entry.json());
        m.put("config_yaml", run.configYaml());
        m.put("config", flatConfig(run.configYaml()));
        m.put("summary", run.summary());
        m.put("history", history(run.history()));
        m.put("progress", progress(entry));
        m.put("metrics", run.metrics());
        m.put("missing", run.missing());
        if (run.confusion() != null) {
            m.put("confusion", Map.of("classes", run.confusion().classNames(), "counts", run.confusion().counts()));
            ClassMetrics cm = ClassMetrics.of(run.confusion().counts(), run.confusion().classNames(), 5);
            m.put("per_class", cm.rows().stream().map(r -> Map.of("class", r.name(), "precision", r.precision(), "recall", r.recall(), "f1", r.f1(),
                    "support", r.support())).toList());
        }
        if (run.predictions() != null) {
            List<PredictionsCsv.Prediction> wrong = new ArrayList<>(run.predictions().stream().filter(p -> p.truth() != p.predicted()).toList());
            wrong.sort(Comparator.comparingDouble(PredictionsCsv.Prediction::probability).reversed());
            m.put("mistakes", wrong.stream().limit(36).map(RunServer::prediction).toList());
        }
        m.put("network_svg", run.config() == null ? null : NetworkDiagram.of(run.config().model()).svg());
        m.put("has_model", Files.isRegularFile(entry.dir().resolve(io.deepnets.runs.RunFolder.MODEL)));
        m.put("has_report", Files.isRegularFile(entry.dir().resolve(io.deepnets.runs.RunFolder.REPORT)));
        return m;
    }

    private static Map<String, Object> prediction(PredictionsCsv.Prediction p) {
        return Map.of("index", p.index(), "truth", p.truth(), "predicted", p.predicted(), "probability", p.probability());
    }

    private static Map<String, Object> cell(RunCatalog.RunEntry entry, Map<String, String> q) {
        int truth;
        int predicted;
        try {
            truth = Integer.parseInt(q.getOrDefault("truth", ""));
            predicted = Integer.parseInt(q.getOrDefault("predicted", ""));
        } catch (NumberFormatException e) {
            throw ApiError.badRequest("expected ?truth=N&predicted=M (class numbers)");
        }
        RunContents run = RunContents.read(entry.dir());
        if (run.predictions() == null) {
            throw ApiError.notFound("this run has no predictions.csv (it did not finish)");
        }
        List<PredictionsCsv.Prediction> in = run.predictions().stream().filter(p -> p.truth() == truth && p.predicted() == predicted)
                .sorted(Comparator.comparingDouble(PredictionsCsv.Prediction::probability).reversed()).toList();
        return Map.of("count", in.size(), "samples", in.stream().limit(60).map(RunServer::prediction).toList());
    }

    private static List<Map<String, Object>> history(List<EpochResult> history) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (EpochResult e : history) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("epoch", e.epoch());
            m.put("loss", e.loss());
            m.put("accuracy", e.accuracy());
            m.put("val_loss", e.valLoss());
            m.put("val_accuracy", e.valAccuracy());
            m.put("epoch_seconds", e.epochSeconds());
            out.add(m);
        }
        return out;
    }

    /** Where a run being trained stands (its progress.json as the catalog last read it); null for any other run. */
    private static Map<String, Object> progress(RunCatalog.RunEntry r) {
        return r.status().equals("training") && r.progress() != null ? r.progress().figures() : null;
    }

    /** config.yaml as dotted keys ({@code optimizer.learning_rate}, {@code model.layers[2].filters}) for the compare view. */
    static Map<String, Object> flatConfig(String yaml) {
        Map<String, Object> out = new LinkedHashMap<>();
        if (yaml == null) {
            return out;
        }
        try {
            flatten("", YamlDocuments.parse(yaml), out);
        } catch (RuntimeException e) {
            out.put("(config.yaml)", "unreadable");
        }
        return out;
    }

    private static void flatten(String prefix, Object v, Map<String, Object> out) {
        if (v instanceof Map<?, ?> m) {
            for (var e : m.entrySet()) {
                flatten(prefix.isEmpty() ? String.valueOf(e.getKey()) : prefix + "." + e.getKey(), e.getValue(), out);
            }
        } else if (v instanceof List<?> l) {
            for (int i = 0; i < l.size(); i++) {
                flatten(prefix + "[" + i + "]", l.get(i), out);
            }
        } else {
            out.put(prefix, v == null ? null : v.toString());
        }
    }

    private Map<String, Object> sweep(String id) {
        RunCatalog.SweepEntry s = catalog.sweep(id);
        if (s == null) {
            throw ApiError.notFound("no sweep " + id);
        }
        SweepFolder.Contents c = SweepFolder.read(s.dir());
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", s.id());
        m.put("name", c.name());
        m.put("folder", s.folder());
        m.put("description", c.description());
        m.put("metric", c.metric());
        m.put("higher_is_better", c.higherIsBetter());
        m.put("axes", c.axes().stream().map(a -> Map.of("name", a.name(), "log_scale", a.logScale())).toList());
        Map<Path, String> ids = new LinkedHashMap<>();
        for (RunCatalog.RunEntry r : catalog.snapshot().runs()) {
            ids.put(r.dir(), r.id());
        }
        List<Map<String, Object>> points = new ArrayList<>();
        for (SweepFolder.PointRow row : c.points()) {
            Map<String, Object> pm = new LinkedHashMap<>();
            pm.put("folder", row.folder());
            pm.put("labels", row.labels());
            pm.put("numbers", row.numbers());
            pm.put("status", row.status());
            pm.put("metric", row.metric(c.metric()));
            pm.put("val_accuracy", row.metric("val_accuracy"));
            pm.put("test_accuracy", row.metric("test_accuracy"));
            pm.put("val_loss", row.metric("val_loss"));
            pm.put("run", row.run() == null ? null : ids.get(row.run().dir()));
            points.add(pm);
        }
        m.put("points", points);
        return m;
    }

    private void predict(HttpExchange ex, String id) throws IOException {
        RunCatalog.RunEntry run = catalog.run(id);
        if (run == null) {
            throw ApiError.notFound("no run " + id);
        }
        if (!run.status().equals("finished")) {
            throw new ApiError(409, "the run has not finished (" + run.status() + "); choose a finished run");
        }
        Map<String, String> q = query(ex);
        ImagePreprocessor.Invert invert;
        try {
            invert = ImagePreprocessor.Invert.parse(q.getOrDefault("invert", "auto"));
        } catch (BadInputException e) {
            throw ApiError.badRequest(e.getMessage().replace("--invert", "invert"));
        }
        String length = ex.getRequestHeaders().getFirst("Content-Length");
        if (length != null && length.matches("\\d{1,18}") && Long.parseLong(length) > ImageUpload.MAX_BYTES + 65536L) {
            throw new ApiError(413, "the upload is larger than " + ImageUpload.MAX_BYTES / (1024 * 1024) + " MB");
        }
        byte[] image = ImageUpload.read(ex.getRequestBody(), ex.getRequestHeaders().getFirst("Content-Type"));
        sendJson(ex, 200, playground.predict(run.dir(), image,
                new ModelPlayground.Options(flag(q, "explain"), flag(q, "maps"), invert)));
    }

    private static boolean flag(Map<String, String> q, String name) {
        String v = q.get(name);
        return v != null && (v.isEmpty() || v.equals("true") || v.equals("1") || v.equals("yes"));
    }

    private void sendRunFile(HttpExchange ex, RunCatalog.RunEntry run, List<String> path) throws IOException {
        Path file = run.dir();
        for (String s : path) {
            file = file.resolve(s);
        }
        file = file.normalize();
        Path root = catalog.rootOf(run.dir());
        if (!file.startsWith(run.dir()) || root == null || !Files.isRegularFile(file)) {
            throw ApiError.notFound("no such file in the run folder");
        }
        // A link inside the folder may lead anywhere: the file's real place must be under the served root.
        Path real = file.toRealPath();
        if (!real.startsWith(root.toRealPath()) || Files.isSymbolicLink(file)) {
            throw ApiError.notFound("no such file in the run folder");
        }
        send(ex, 200, contentType(real.getFileName().toString()), Files.readAllBytes(real));
    }

    private void sendResource(HttpExchange ex, String name) throws IOException {
        if (name.endsWith("/") || name.contains("..")) {
            throw ApiError.notFound("no such file");
        }
        try (InputStream in = RunServer.class.getClassLoader().getResourceAsStream(name)) {
            if (in == null) {
                throw ApiError.notFound("no such file: /" + (name.startsWith(WEB) ? "static/" + name.substring(WEB.length()) : name));
            }
            ex.getResponseHeaders().set("Cache-Control", name.startsWith(WEBJARS) ? "max-age=86400" : "no-cache");
            send(ex, 200, contentType(name), in.readAllBytes());
        }
    }

    private static String contentType(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        if (n.endsWith(".html")) {
            return "text/html; charset=utf-8";
        } else if (n.endsWith(".js")) {
            return "text/javascript; charset=utf-8";
        } else if (n.endsWith(".css")) {
            return "text/css; charset=utf-8";
        } else if (n.endsWith(".png")) {
            return "image/png";
        } else if (n.endsWith(".svg")) {
            return "image/svg+xml";
        } else if (n.endsWith(".json")) {
            return "application/json";
        } else if (n.endsWith(".csv") || n.endsWith(".txt") || n.endsWith(".yaml")) {
            return "text/plain; charset=utf-8";
        }
        return "application/octet-stream";
    }

    // ---- live streams

    private void catalogEvents(HttpExchange ex) throws IOException {
        stream(ex, () -> {
            RunCatalog.Snapshot s = catalog.snapshot();
            return s.version() + "";
        }, key -> "event: runs\ndata: {\"version\": " + key + "}\n\n");
    }

    private void runEvents(HttpExchange ex, String id) throws IOException {
        stream(ex, () -> {
            RunCatalog.RunEntry r = catalog.run(id);
            if (r == null) {
                return "gone";
            }
            return r.signature() + "/" + r.status();
        }, key -> {
            RunCatalog.RunEntry r = catalog.run(id);
            if (r == null) {
                return "event: gone\ndata: {}\n\n";
            }
            Map<String, Object> m = new LinkedHashMap<>(r.json());
            m.put("progress", progress(r));
            try {
                m.put("history", history(io.deepnets.runs.HistoryCsv.read(r.dir().resolve(io.deepnets.runs.RunFolder.HISTORY))));
            } catch (IOException | RuntimeException e) {
                m.put("history", List.of());
            }
            return "event: update\ndata: " + json(m) + "\n\n";
        });
    }

    /** Sends an event whenever {@code key} changes (looked at twice a second), a comment every 15 s to keep the line open. */
    private void stream(HttpExchange ex, java.util.function.Supplier<String> key, java.util.function.Function<String, String> event) throws IOException {
        if (streams.incrementAndGet() > MAX_STREAMS) {
            streams.decrementAndGet();
            throw new ApiError(503, "too many open event streams; try again later");
        }
        try {
            ex.getResponseHeaders().set("Content-Type", "text/event-stream; charset=utf-8");
            ex.getResponseHeaders().set("Cache-Control", "no-cache");
            ex.sendResponseHeaders(200, 0);
            OutputStream out = ex.getResponseBody();
            out.write("retry: 2000\n\n".getBytes(StandardCharsets.UTF_8));
            out.flush();
            String last = null;
            long lastWrite = System.currentTimeMillis();
            while (!stopping) {
                String k = key.get();
                if (!k.equals(last)) {
                    out.write(event.apply(k).getBytes(StandardCharsets.UTF_8));
                    out.flush();
                    last = k;
                    lastWrite = System.currentTimeMillis();
                } else if (System.currentTimeMillis() - lastWrite > 15_000) {
                    out.write(": keep-alive\n\n".getBytes(StandardCharsets.UTF_8));
                    out.flush();
                    lastWrite = System.currentTimeMillis();
                }
                try {
                    Thread.sleep(500);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        } finally {
            streams.decrementAndGet();
        }
    }

    // ---- writing

    static String json(Object value) {
        try {
            return JSON.writeValueAsString(finite(value));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** NaN and infinities (a diverged run's loss) as JSON null: JSON has no such numbers. */
    private static Object finite(Object v) {
        if (v instanceof Double d) {
            return d.isNaN() || d.isInfinite() ? null : d;
        }
        if (v instanceof Float f) {
            return f.isNaN() || f.isInfinite() ? null : f;
        }
        if (v instanceof Map<?, ?> m) {
            Map<Object, Object> out = new LinkedHashMap<>();
            m.forEach((k, x) -> out.put(k, finite(x)));
            return out;
        }
        if (v instanceof List<?> l) {
            List<Object> out = new ArrayList<>(l.size());
            l.forEach(x -> out.add(finite(x)));
            return out;
        }
        return v;
    }

    private static void sendJson(HttpExchange ex, int status, Object body) throws IOException {
        send(ex, status, "application/json; charset=utf-8", json(body).getBytes(StandardCharsets.UTF_8));
    }

    private static void sendError(HttpExchange ex, int status, String message) {
        try {
            sendJson(ex, status, Map.of("error", message == null ? "error" : message.replaceAll("[\r\n]+", " ")));
        } catch (IOException | RuntimeException e) {
            // headers already sent (a stream) or the client left
        }
    }

    private static void send(HttpExchange ex, int status, String type, byte[] body) throws IOException {
        ex.getResponseHeaders().set("Content-Type", type);
        ex.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
        if (ex.getRequestMethod().equals("HEAD")) {
            ex.sendResponseHeaders(status, -1);
            return;
        }
        ex.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        ex.getResponseBody().write(body);
    }
}

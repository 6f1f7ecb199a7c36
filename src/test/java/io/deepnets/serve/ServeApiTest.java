package io.deepnets.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The JSON API and the server's refusals, over real runs and a real sweep, with plain HTTP clients. */
class ServeApiTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static RunServer server;
    private static HttpClient http;
    private static String base;

    @BeforeAll
    static void start() throws Exception {
        Path root = ServeFixture.root();
        // A link inside a run folder that leads out of the served folder.
        Path link = ServeFixture.cnn().resolve("outside.txt");
        if (!Files.exists(link, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            Files.createSymbolicLink(link, Path.of("/etc/hostname"));
        }
        server = new RunServer(List.of(root), "127.0.0.1", 0, io.deepnets.testing.RealData.dir());
        server.start();
        base = server.url().toString().replaceAll("/$", "");
        http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    static HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<String> post(String path, byte[] body, String type, String origin) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(120)).header("Content-Type", type)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (origin != null) {
            b.header("Origin", origin);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> runs() throws Exception {
        return JSON.readValue(get("/api/runs").body(), List.class);
    }

    static String idOf(String experiment) throws Exception {
        return runs().stream().filter(r -> r.get("experiment").equals(experiment)).findFirst().orElseThrow().get("id").toString();
    }

    /** A 7 drawn as a person would: white strokes on black, thick. */
    static byte[] seven() throws Exception {
        BufferedImage img = new BufferedImage(280, 280, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setColor(Color.WHITE);
        g.setStroke(new BasicStroke(22, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
        g.drawLine(70, 60, 210, 60);
        g.drawLine(210, 60, 120, 230);
        g.dispose();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(img, "png", out);
        return out.toByteArray();
    }

    @Test
    @SuppressWarnings("unchecked")
    void listsRunsWithTheirFiguresAndDetails() throws Exception {
        List<Map<String, Object>> runs = runs();
        assertEquals(2 + 8, runs.size(), "two runs and eight sweep points: " + runs);
        Map<String, Object> cnn = runs.stream().filter(r -> r.get("experiment").equals("mnist-cnn")).findFirst().orElseThrow();
        assertEquals("finished", cnn.get("status"));
        assertEquals(2, cnn.get("epochs"));
        assertTrue(((Number) cnn.get("test_accuracy")).doubleValue() > 0.9, "test accuracy " + cnn.get("test_accuracy"));
        assertTrue(cnn.get("folder").toString().startsWith("mnist-cnn/"), cnn.get("folder").toString());
        Map<String, Object> details = JSON.readValue(get("/api/runs/" + cnn.get("id")).body(), Map.class);
        assertEquals(2, ((List<?>) details.get("history")).size());
        assertNotNull(details.get("confusion"));
        assertTrue(details.get("network_svg").toString().startsWith("<div class=\"network\"><svg"));
        assertEquals("conv2d", ((Map<String, Object>) details.get("config")).get("model.layers[0].type"));
        HttpResponse<String> image = http.send(HttpRequest.newBuilder(URI.create(base + "/api/runs/" + cnn.get("id") + "/test-images/3.png")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, image.statusCode());
        assertEquals("image/png", image.headers().firstValue("Content-Type").orElse(""));
        Map<String, Object> cell = JSON.readValue(get("/api/runs/" + cnn.get("id") + "/cell?truth=7&predicted=7").body(), Map.class);
        assertTrue(((Number) cell.get("count")).intValue() > 50);
        Map<String, Object> sweeps = JSON.readValue(get("/api/sweeps").body().replaceAll("^\\[|\\]$", ""), Map.class);
        Map<String, Object> sweep = JSON.readValue(get("/api/sweeps/" + sweeps.get("id")).body(), Map.class);
        assertEquals(3, ((List<?>) sweep.get("axes")).size());
        assertEquals(8, ((List<?>) sweep.get("points")).size());
        assertTrue(((List<Map<String, Object>>) sweep.get("points")).stream().allMatch(p -> p.get("run") != null), "every point links its run");
    }

    @Test
    @SuppressWarnings("unchecked")
    void predictsAsPredictJsonDoesWithTheMapsOnRequest() throws Exception {
        String id = idOf("mnist-cnn");
        HttpResponse<String> r = post("/api/runs/" + id + "/predict?explain=true&maps=true", seven(), "image/png", null);
        assertEquals(200, r.statusCode(), r.body());
        Map<String, Object> m = JSON.readValue(r.body(), Map.class);
        assertEquals("7", m.get("label"));
        assertEquals(3, ((List<?>) m.get("top")).size());
        Map<String, Object> x = (Map<String, Object>) m.get("explanation");
        assertEquals("conv2d_2", x.get("grad_cam_layer"));
        assertEquals(28, ((List<?>) x.get("grad_cam")).size());
        assertTrue(x.get("grad_cam_png").toString().startsWith("data:image/png;base64,"));
        assertEquals(2, ((List<?>) m.get("feature_maps")).size());
        // The same upload as a multipart form (curl -F file=@seven.png).
        String boundary = "----deepnets" + System.nanoTime();
        ByteArrayOutputStream form = new ByteArrayOutputStream();
        form.write(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nhello\r\n--" + boundary
                + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"seven.png\"\r\nContent-Type: image/png\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        form.write(seven());
        form.write(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.US_ASCII));
        HttpResponse<String> multipart = post("/api/runs/" + id + "/predict", form.toByteArray(), "multipart/form-data; boundary=" + boundary, null);
        assertEquals(200, multipart.statusCode(), multipart.body());
        assertEquals("7", JSON.readValue(multipart.body(), Map.class).get("label"));
    }

    @Test
    void refusesBadRequestsWithOneJsonLineAndKeepsServing() throws Exception {
        String id = idOf("mnist-cnn");
        assertError(post("/api/runs/" + id + "/predict", "not an image".getBytes(StandardCharsets.UTF_8), "image/png", null), 400, "not an image");
        assertError(post("/api/runs/" + id + "/predict", new byte[ImageUpload.MAX_BYTES + 10], "image/png", null), 413, "larger than");
        assertError(post("/api/runs/" + id + "/predict", seven(), "image/png", "http://evil.example"), 403, "another origin");
        assertError(post("/api/runs/nope/predict", seven(), "image/png", null), 404, "no run");
        assertError(post("/api/runs/" + id + "/predict?invert=maybe", seven(), "image/png", null), 400, "invert");
        assertError(get("/api/runs/nope"), 404, "no run");
        assertError(get("/api/runs/" + id + "/cell?truth=x"), 400, "truth");
        assertError(get("/api/runs/" + id + "/test-images/99999.png"), 404, "no test image");
        assertError(http.send(HttpRequest.newBuilder(URI.create(base + "/api/runs")).method("DELETE", HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString()), 405, "DELETE");
        assertEquals(200, get("/api/runs").statusCode());
    }

    private static void assertError(HttpResponse<String> r, int status, String words) {
        assertEquals(status, r.statusCode(), r.body());
        assertTrue(r.body().startsWith("{\"error\":") && r.body().contains(words), r.body());
        assertTrue(!r.body().contains("\tat ") && !r.body().contains("Exception"), "no stack trace: " + r.body());
    }

    /** One raw request line (no client library normalising the path), the status code answered. */
    static int rawStatus(String requestLine) throws Exception {
        URI u = server.url();
        try (Socket s = new Socket(u.getHost(), u.getPort())) {
            s.setSoTimeout(20_000);
            OutputStream out = s.getOutputStream();
            out.write((requestLine + "\r\nHost: localhost\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            String first = new String(s.getInputStream().readNBytes(12), StandardCharsets.ISO_8859_1);
            return Integer.parseInt(first.substring(9, 12));
        }
    }

    @Test
    void servesNothingOutsideTheServedFolders() throws Exception {
        String id = idOf("mnist-cnn");
        assertEquals(200, rawStatus("GET /api/runs/" + id + "/files/summary.txt HTTP/1.1"));
        for (String path : List.of("/api/runs/" + id + "/files/../../../../etc/hostname", "/api/runs/" + id + "/files/%2e%2e/%2e%2e/%2e%2e/etc/hostname",
                "/api/runs/" + id + "/files/..%2f..%2f..%2fetc%2fhostname", "/api/runs/" + id + "/files/%2fetc%2fhostname",
                "/api/runs/" + id + "/files/outside.txt", "/static/../../../../etc/hostname", "/static/%2e%2e/%2e%2e/etc/hostname",
                "/webjars/..%2f..%2fio/deepnets/serve/RunServer.class", "//etc/hostname", "/api/runs/" + id + "/files/C:%5cWindows")) {
            assertEquals(404, rawStatus("GET " + path + " HTTP/1.1"), path);
        }
        assertEquals(403, statusFor("GET /api/runs HTTP/1.1\r\nHost: attacker.example"), "a rebound name");
    }

    private static int statusFor(String head) throws Exception {
        URI u = server.url();
        try (Socket s = new Socket(u.getHost(), u.getPort())) {
            s.setSoTimeout(20_000);
            s.getOutputStream().write((head + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            return Integer.parseInt(new String(s.getInputStream().readNBytes(12), StandardCharsets.ISO_8859_1).substring(9, 12));
        }
    }

    @Test
    void fiftyClientsAtOnceSomeStreamingSomeSendingGarbageAllGetAnswers() throws Exception {
        String id = idOf("mnist-cnn");
        ExecutorService pool = Executors.newFixedThreadPool(50);
        List<Callable<String>> clients = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            int k = i;
            clients.add(() -> {
                if (k % 5 == 0) {
                    // A stream: its first event arrives, then the client leaves.
                    URI u = server.url();
                    try (Socket s = new Socket(u.getHost(), u.getPort())) {
                        s.setSoTimeout(30_000);
                        s.getOutputStream().write(("GET /api/" + (k % 10 == 0 ? "events" : "runs/" + id + "/events")
                                + " HTTP/1.1\r\nHost: localhost\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                        InputStream in = s.getInputStream();
                        StringBuilder got = new StringBuilder();
                        while (!got.toString().contains("data:")) {
                            int c = in.read();
                            if (c < 0) {
                                break;
                            }
                            got.append((char) c);
                        }
                        return got.toString().contains("data:") ? "stream" : "stream without data";
                    }
                } else if (k % 5 == 1) {
                    URI u = server.url();
                    try (Socket s = new Socket(u.getHost(), u.getPort())) {
                        s.setSoTimeout(30_000);
                        s.getOutputStream().write("\u0000\u0001garbage\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
                        s.getInputStream().readAllBytes();      // answered (400) or closed: either way the server goes on
                        return "garbage";
                    }
                } else if (k % 5 == 2) {
                    return get("/api/runs/" + id).statusCode() == 200 ? "details" : "details failed";
                } else {
                    return get("/api/runs").statusCode() == 200 ? "list" : "list failed";
                }
            });
        }
        List<Future<String>> answers = pool.invokeAll(clients, 120, TimeUnit.SECONDS);
        pool.shutdownNow();
        for (Future<String> f : answers) {
            String a = f.get();
            assertTrue(List.of("stream", "garbage", "details", "list").contains(a), a);
        }
        assertEquals(200, get("/api/runs").statusCode(), "still serving");
    }
}

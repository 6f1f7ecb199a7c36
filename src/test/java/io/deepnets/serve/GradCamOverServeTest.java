package io.deepnets.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.deepnets.explain.QuadrantDigits;
import io.deepnets.model.Network;
import io.deepnets.runs.ConfusionCsv;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * "Where the network looked" through the server, on the case whose answer is known: the quadrant-digit network of
 * {@link QuadrantDigits}, kept as a run folder of a photo-folder model (so an upload is only resized, never re-centred),
 * is sent PNGs of digits in known quadrants; the Grad-CAM map the API answers must lie in that quadrant.
 */
class GradCamOverServeTest {
    @TempDir
    Path root;

    @Test
    @SuppressWarnings("unchecked")
    void gradCamFromTheApiPointsAtTheDigitsQuadrant() throws Exception {
        Network net = QuadrantDigits.network();
        Path run = root.resolve("quadrant-digits").resolve("2026-12-05T00-00-00");
        Files.createDirectories(run);
        Files.writeString(run.resolve("config.yaml"), QuadrantDigits.CONFIG.replace("data: {dataset: mnist, validation_data: test}",
                "data: {dataset: folder, path: quadrant-photos, image_size: [56, 56], channels: 1, validation_split: 0.2}"));
        net.save(run.resolve("model.zip").toFile(), true);
        List<String> classes = new ArrayList<>();
        for (int c = 0; c < 10; c++) {
            classes.add(String.valueOf(c));
        }
        ConfusionCsv.write(run.resolve("confusion.csv"), classes, new long[10][10]);
        Files.writeString(run.resolve("history.csv"), "epoch,loss,accuracy,val_loss,val_accuracy,epoch_seconds,ms_per_step,lr\n");
        Files.writeString(run.resolve("metrics.json"), "{\"experiment\": \"quadrant-digits\", \"test_accuracy\": 0.9, \"test_loss\": 0.3, \"params\": "
                + net.numParams() + "}");
        try (RunServer server = new RunServer(List.of(root), "127.0.0.1", 0, null)) {
            server.start();
            String id = server.catalog().snapshot().runs().get(0).id();
            HttpClient http = HttpClient.newHttpClient();
            ObjectMapper json = new ObjectMapper();
            Random random = new Random(3);
            int correct = 0;
            double inside = 0;
            int tried = 30;
            for (int k = 0; k < tried; k++) {
                int i = QuadrantDigits.UNSEEN + 100 + k;
                int q = random.nextInt(4);
                float[] canvas = QuadrantDigits.placed(i, q);
                BufferedImage img = new BufferedImage(QuadrantDigits.SIDE, QuadrantDigits.SIDE, BufferedImage.TYPE_BYTE_GRAY);
                for (int p = 0; p < canvas.length; p++) {
                    img.getRaster().setSample(p % QuadrantDigits.SIDE, p / QuadrantDigits.SIDE, 0, Math.round(canvas[p] * 255));
                }
                ByteArrayOutputStream png = new ByteArrayOutputStream();
                ImageIO.write(img, "png", png);
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(server.url() + "api/runs/" + id + "/predict?explain=1"))
                        .header("Content-Type", "image/png").POST(HttpRequest.BodyPublishers.ofByteArray(png.toByteArray())).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertEquals(200, r.statusCode(), r.body());
                Map<String, Object> answer = json.readValue(r.body(), Map.class);
                if (!answer.get("label").equals(String.valueOf(QuadrantDigits.label(i)))) {
                    continue;
                }
                correct++;
                List<List<Number>> rows = (List<List<Number>>) ((Map<String, Object>) answer.get("explanation")).get("grad_cam");
                float[] map = new float[QuadrantDigits.SIDE * QuadrantDigits.SIDE];
                for (int y = 0; y < rows.size(); y++) {
                    for (int x = 0; x < rows.get(y).size(); x++) {
                        map[y * QuadrantDigits.SIDE + x] = rows.get(y).get(x).floatValue();
                    }
                }
                inside += QuadrantDigits.share(map, q);
            }
            assertTrue(correct >= tried / 2, "read right: " + correct + " of " + tried);
            assertTrue(inside / correct > 0.7, "Grad-CAM's mass in the digit's quadrant (0.25 by chance): " + inside / correct);
        }
    }
}

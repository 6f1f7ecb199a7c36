package io.deepnets.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.deepnets.cli.Main;
import io.deepnets.runs.RunFolder;
import io.deepnets.testing.TrainedRuns;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Renders report.html and index.html in headless Chromium (Debian's package; .ci/run installs it). */
class BrowserRenderTest {
    @TempDir
    Path tmp;

    static Path chromium() {
        for (String candidate : List.of("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")) {
            if (Files.isExecutable(Path.of(candidate))) {
                return Path.of(candidate);
            }
        }
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            fail("chromium is required under CI (apt-get install chromium)");
        }
        Assumptions.abort("skipped: chromium not installed");
        return null;
    }

    String run(Path browser, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(browser.toString(), "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
                "--user-data-dir=" + Files.createTempDirectory(tmp, "profile")));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(false).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("chromium did not finish");
        }
        return out;
    }

    void assertRenders(Path browser, Path page) throws Exception {
        Path shot = tmp.resolve(page.getFileName() + ".png");
        run(browser, "--window-size=1200,2000", "--screenshot=" + shot, page.toUri().toString());
        BufferedImage img = ImageIO.read(shot.toFile());
        assertTrue(img != null && img.getWidth() == 1200, "screenshot of " + page);
        long nonWhite = 0;
        for (int y = 0; y < img.getHeight(); y += 3) {
            for (int x = 0; x < img.getWidth(); x += 3) {
                if ((img.getRGB(x, y) & 0xFFFFFF) != 0xFFFFFF) {
                    nonWhite++;
                }
            }
        }
        assertTrue(nonWhite > (img.getWidth() / 3) * (img.getHeight() / 3) / 100, page + " renders blank: " + nonWhite + " non-white samples");
        String dom = run(browser, "--virtual-time-budget=5000", "--dump-dom", page.toUri().toString());
        Matcher m = Pattern.compile("data-images-loaded=\"(\\d+)/(\\d+)\"").matcher(dom);
        assertTrue(m.find(), "the page's load check ran: " + dom.substring(0, Math.min(300, dom.length())));
        assertEquals(m.group(2), m.group(1), "every image of " + page + " loaded");
        assertTrue(Integer.parseInt(m.group(2)) >= 4, "the page shows its figures");
    }

    @Test
    void reportAndIndexRenderWithEveryImage() throws Exception {
        Path browser = chromium();
        Path reports = TrainedRuns.reports();
        assertRenders(browser, TrainedRuns.cnn().runDir().resolve(RunFolder.REPORT));
        Path out = tmp.resolve("index");
        assertEquals(0, Main.execute("report", reports.toString(), "--out", out.toString()));
        assertRenders(browser, out.resolve(ComparisonReport.INDEX));
    }

    /** The filters page of a real photo, with noise and the tests' CNN: every picture loads in Chromium. */
    @Test
    void filtersPageRendersWithEveryImage() throws Exception {
        Path browser = chromium();
        Path photo;
        try (var files = java.nio.file.Files.list(io.deepnets.testing.RealData.dir().resolve("catsdogs/test/cat"))) {
            photo = files.sorted().findFirst().orElseThrow();
        }
        Path out = tmp.resolve("filters");
        assertEquals(0, Main.execute("filters", photo.toString(), "--noise", "gaussian:10", "--model", TrainedRuns.cnn().runDir().toString(), "--out",
                out.toString()));
        assertRenders(browser, out.resolve("index.html"));
    }
}

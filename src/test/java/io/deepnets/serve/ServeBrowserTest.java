package io.deepnets.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.deepnets.cli.Main;
import io.deepnets.testing.RealData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The pages in a real browser: Debian's headless Chromium driven by Selenium through Debian's chromedriver (no driver
 * download). Each test leaves a screenshot of its page in {@code target/serve-screenshots/} (the README's come from
 * there).
 */
class ServeBrowserTest {
    static final Path SHOTS = Path.of("target/serve-screenshots");
    private static RunServer server;
    private static ChromeDriver driver;
    private static String base;
    private static Path liveRoot;

    @BeforeAll
    static void start() throws Exception {
        Path chromium = Path.of("/usr/bin/chromium");
        Path chromedriver = Path.of("/usr/bin/chromedriver");
        if (!Files.isExecutable(chromium) || !Files.isExecutable(chromedriver)) {
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                fail("chromium and chromium-driver are required under CI (apt-get install chromium chromium-driver)");
            }
            Assumptions.abort("skipped: chromium or chromedriver not installed");
        }
        Path root = ServeFixture.root();
        liveRoot = Files.createTempDirectory("deepnets-live");
        server = new RunServer(List.of(root, liveRoot), "127.0.0.1", 0, RealData.dir());
        server.start();
        base = server.url().toString().replaceAll("/$", "");
        ChromeOptions options = new ChromeOptions();
        options.setBinary(chromium.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--window-size=1300,1700",
                "--user-data-dir=" + Files.createTempDirectory("deepnets-chromium"));
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(chromedriver.toFile()).usingAnyFreePort().build();
        driver = new ChromeDriver(service, options);
        Files.createDirectories(SHOTS);
    }

    @AfterAll
    static void stop() {
        if (driver != null) {
            driver.quit();
        }
        if (server != null) {
            server.close();
        }
    }

    /** A wait that looks again when the page re-drew what it was reading (live tables are re-rendered on every update). */
    private static WebDriverWait waiting(int seconds) {
        WebDriverWait wait = new WebDriverWait(driver, Duration.ofSeconds(seconds));
        wait.ignoring(org.openqa.selenium.StaleElementReferenceException.class);
        return wait;
    }

    private static void shot(String name) throws Exception {
        js("window.scrollTo(0, 0);");
        Files.write(SHOTS.resolve(name), driver.getScreenshotAs(OutputType.BYTES));
    }

    /** Opens a view in a freshly loaded page (a change of the hash alone would keep the last view's state). */
    private static void open(String hash) {
        driver.get("about:blank");
        driver.get(base + "/" + hash);
    }

    private static Object js(String script, Object... args) {
        return ((JavascriptExecutor) driver).executeScript(script, args);
    }

    private static String idOf(String experiment) throws Exception {
        return server.catalog().snapshot().runs().stream().filter(r -> r.experiment().equals(experiment)).findFirst().orElseThrow().id();
    }

    @Test
    void theRunsTableListsTheFoldersRunsAndFiltersThem() throws Exception {
        open("#/");
        waiting(30).until(d -> d.findElements(By.cssSelector("#runs tbody tr")).size() >= 10);
        String text = driver.findElement(By.id("runs")).getText();
        assertTrue(text.contains("mnist-cnn") && text.contains("mnist-linear") && text.contains("digits-cnn"), text);
        shot("serve-runs.png");
        driver.findElement(By.id("q")).sendKeys("linear");
        waiting(10).until(d -> d.findElements(By.cssSelector("#runs tbody tr")).size() == 1);
        driver.findElement(By.cssSelector("#runs thead th[data-key=test_accuracy]")).click();
    }

    @Test
    void aRunStartedInAnotherProcessAppearsAndItsChartGrowsWithoutAReload() throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx1g",
                "-Dorg.bytedeco.javacpp.maxbytes=2G", "-Djava.awt.headless=true", "-cp", System.getProperty("java.class.path"), Main.class.getName(),
                "run", "configs/mnist-cnn.yaml", "--out", liveRoot.toString(), "--data-dir", RealData.dir().toString(), "--set", "training.epochs=4",
                "--set", "data.train_subset=8000", "--set", "data.test_subset=500", "--set", "name=live-mnist"));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD);
        pb.environment().put("OMP_WAIT_POLICY", "PASSIVE");
        open("#/");
        waiting(30).until(d -> d.findElements(By.cssSelector("#runs tbody tr")).size() >= 10);
        Process training = pb.start();
        try {
            // It appears by itself, as training.
            String href = waiting(180).until(d -> d.findElements(By.cssSelector("#runs tbody tr")).stream()
                    .filter(r -> r.getText().contains("live-mnist") && r.getText().contains("training")).findFirst()
                    .map(r -> r.findElement(By.cssSelector("a")).getAttribute("href")).orElse(null));
            js("location.hash = arguments[0];", href.substring(href.indexOf('#')));
            waiting(30).until(d -> d.findElement(By.id("acc")).getAttribute("data-epochs") != null);
            js("window.notReloaded = 42;");
            int before = Integer.parseInt(driver.findElement(By.id("acc")).getAttribute("data-epochs"));
            waiting(240).until(d -> Integer.parseInt(d.findElement(By.id("acc")).getAttribute("data-epochs")) > before);
            assertEquals(42L, js("return window.notReloaded;"), "the chart grew without a reload");
            shot("serve-live.png");
            assertTrue(training.waitFor(300, java.util.concurrent.TimeUnit.SECONDS), "the run ends");
            assertEquals(0, training.exitValue());
            waiting(60).until(d -> d.findElement(By.cssSelector("h1 .badge")).getText().equals("finished"));
        } finally {
            training.destroyForcibly();
        }
    }

    @Test
    void aThousandRunsAreListedSortedAndSearched() throws Exception {
        // A thousand copies of a finished run's small files (config, history, metrics, summary), in twenty experiments.
        Path many = Files.createTempDirectory("deepnets-thousand");
        Path run = server.catalog().snapshot().runs().stream().filter(r -> r.experiment().equals("mnist-linear")).findFirst().orElseThrow().dir();
        for (int i = 0; i < 1000; i++) {
            Path d = many.resolve("exp" + i % 20).resolve(String.format("2026-11-%02dT10-00-%04d", i % 28 + 1, i));
            Files.createDirectories(d);
            for (String f : List.of("config.yaml", "history.csv", "metrics.json", "summary.txt")) {
                Files.copy(run.resolve(f), d.resolve(f));
            }
        }
        try (RunServer big = new RunServer(List.of(many), "127.0.0.1", 0, null)) {
            big.start();
            long started = System.nanoTime();
            driver.get("about:blank");
            driver.get(big.url() + "#/");
            waiting(60).until(d -> d.findElements(By.cssSelector("#runs tbody tr")).size() == 1000);
            System.out.printf("serve: 1000 runs listed in the browser in %.2f s%n", (System.nanoTime() - started) / 1e9);
            assertEquals("1000 of 1000 runs", driver.findElement(By.id("count")).getText());
            driver.findElement(By.cssSelector("#runs thead th[data-key=experiment]")).click();
            driver.findElement(By.id("q")).sendKeys("exp7");
            waiting(20).until(d -> d.findElement(By.id("count")).getText().equals("50 of 1000 runs"));
        }
    }

    @Test
    void aDigitDrawnWithTheMouseIsReadAndExplained() throws Exception {
        open("#/try/" + idOf("mnist-cnn"));
        WebElement pad = waiting(30).until(d -> d.findElement(By.id("pad")));
        // A 7: the bar from left to right, then the stroke down to the lower left (offsets from the canvas's centre).
        new Actions(driver).moveToElement(pad, -75, -85).clickAndHold().moveByOffset(75, 0).moveByOffset(75, 0).moveByOffset(-35, 60)
                .moveByOffset(-35, 60).moveByOffset(-30, 60).release().perform();
        WebElement label = waiting(120).until(d -> d.findElement(By.id("label")));
        assertEquals("7", label.getText(), driver.findElement(By.id("result")).getText());
        waiting(10).until(d -> d.findElement(By.id("gradcam")).isDisplayed() && d.findElement(By.id("saliency")).isDisplayed());
        assertTrue(driver.findElement(By.id("result")).getText().contains("Grad-CAM for 7 over conv2d_2"));
        assertTrue(driver.findElements(By.cssSelector("#maps figure")).size() == 2, "both convolutions' feature maps");
        shot("serve-try.png");
    }

    @Test
    void theRunPageShowsTheTestImagesOfAConfusionCell() throws Exception {
        open("#/run/" + idOf("mnist-cnn"));
        WebElement cell = waiting(30).until(d -> d.findElement(By.cssSelector(".confusion td[data-truth='7'][data-predicted='7']")));
        cell.click();
        waiting(30).until(d -> d.findElements(By.cssSelector("#cell figure img")).size() > 10);
        waiting(60).until(d -> (Boolean) js("return [...document.querySelectorAll('#cell img, #mistakes img')].every(i => i.complete && i.naturalWidth > 0);"));
        assertTrue(driver.findElement(By.id("cell-title")).getText().startsWith("true 7, predicted 7:"));
        assertTrue(driver.findElement(By.cssSelector(".network svg")).isDisplayed());
        shot("serve-run.png");
    }

    @Test
    void compareOverlaysCurvesAndHighlightsTheConfigsDifferences() throws Exception {
        open("#/compare/" + idOf("mnist-cnn") + "," + idOf("mnist-linear"));
        waiting(30).until(d -> d.findElements(By.cssSelector("#diff td.differs")).size() > 0);
        driver.findElement(By.id("only")).click();
        List<WebElement> rows = driver.findElements(By.cssSelector("#diff tr"));
        assertTrue(rows.stream().anyMatch(r -> r.getText().startsWith("name")), "the names differ");
        shot("serve-compare.png");
    }

    @Test
    @SuppressWarnings("unchecked")
    void theSweepsHeatmapAnswersHoverAndClickOpensTheRun() throws Exception {
        String sweep = server.catalog().snapshot().sweeps().get(0).id();
        open("#/sweep/" + sweep);
        waiting(30).until(d -> d.findElements(By.cssSelector("#heat canvas")).size() == 1 && d.findElements(By.cssSelector("#par canvas")).size() == 1);
        waiting(30).until(d -> (Boolean) js("return echarts.getInstanceByDom(document.getElementById('best')).getOption().series.length > 0;"));
        shot("serve-sweep.png");
        List<Number> at = (List<Number>) js("const c = echarts.getInstanceByDom(document.getElementById('heat'));"
                + "const r = document.getElementById('heat').getBoundingClientRect(); const p = c.convertToPixel({seriesIndex: 0}, [0, 0]);"
                + "return [p[0] - r.width / 2, p[1] - r.height / 2];");
        WebElement heat = driver.findElement(By.id("heat"));
        new Actions(driver).moveToElement(heat, at.get(0).intValue(), at.get(1).intValue()).perform();
        waiting(10).until(d -> d.findElement(By.id("heat")).getText().contains("click to open the run"));
        new Actions(driver).click().perform();
        waiting(20).until(d -> d.getCurrentUrl().contains("#/run/"));
        waiting(20).until(d -> d.findElement(By.tagName("h1")).getText().startsWith("digits-cnn"));
    }
}

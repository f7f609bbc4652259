package io.gatehouse.management;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

import io.gatehouse.federation.Heartbeat;

/**
 * The status page in a real headless Chromium (Debian's {@code chromium} and {@code chromium-driver}): it renders the
 * landscape and follows it without a reload when a node reports an error or an edit is refused.
 */
class StatusPageBrowserTest {

    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    /** The page polls every 2 s; this leaves room for a slow CI machine. */
    private static final Duration PAGE = Duration.ofSeconds(30);

    @TempDir
    Path tmp;
    private ManagementPlaneFixture mp;
    private ChromeDriverService service;
    private ChromeDriver browser;

    @BeforeEach
    void start() throws Exception {
        if (!Files.isExecutable(CHROMIUM) || !Files.isExecutable(CHROMEDRIVER)) {
            fail("this test drives a real browser and needs " + CHROMIUM + " and " + CHROMEDRIVER
                         + ": install the Debian packages chromium and chromium-driver (apt-get install chromium"
                         + " chromium-driver)");
        }
        mp = new ManagementPlaneFixture(tmp.resolve("plane"));
        ChromeOptions options = new ChromeOptions()
                .setBinary(CHROMIUM.toFile())
                .addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                              "--user-data-dir=" + Files.createDirectories(tmp.resolve("chromium-profile")));
        service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(CHROMEDRIVER.toString()))
                .usingAnyFreePort()
                .build();
        browser = new ChromeDriver(service, options);
    }

    @AfterEach
    void stop() throws Exception {
        try {
            if (browser != null) {
                browser.quit();
            }
        } finally {
            try {
                if (service != null && service.isRunning()) {
                    service.stop();
                }
            } finally {
                if (mp != null) {
                    mp.close();
                }
            }
        }
    }

    private Object script(String script, Object... args) {
        return ((JavascriptExecutor) browser).executeScript(script, args);
    }

    /**
     * The text of the first element matching a CSS selector, read in one script call: the page re-renders every two
     * seconds, so an element found in one call may be gone by the next.
     */
    private String text(String css) {
        Object text = script("const e = document.querySelector(arguments[0]); return e === null ? null : e.textContent;",
                             css);
        return text == null ? null : text.toString();
    }

    private boolean visible(String css) {
        return Boolean.TRUE.equals(script("const e = document.querySelector(arguments[0]);"
                                                  + " return e !== null && e.checkVisibility();", css));
    }

    private void awaitText(String css, String expected) throws Exception {
        try {
            ManagementPlaneFixture.eventually(PAGE, "the page shows '" + expected + "' in " + css, () -> {
                String actual = text(css);
                return actual != null && actual.contains(expected);
            });
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "; it shows '" + text(css) + "'", e);
        }
    }

    private boolean samePage() {
        return "still the first load".equals(script("return window.gatehouseTestMarker;"));
    }

    /** Gateways show their own APIs and products, nodes their state and revision; errors then appear without reload. */
    @Test
    void pageShowsTheLandscapeAndFollowsItWithoutReload() throws Exception {
        String revision = mp.folder.servedTo("gw1").revision();
        assertEquals(204, mp.heartbeat("gw1", ManagementPlaneFixture.heartbeat("gw1-node-a", "host-a",
                                                                             Optional.of(revision), 60)).statusCode());
        browser.get(mp.uri("/").toString());

        String gw1 = "section[data-gateway='gw1'] ";
        String gw2 = "section[data-gateway='gw2'] ";
        String node = gw1 + "tr[data-node='gw1-node-a'] ";
        awaitText(gw1 + ".apis", "Echo");
        awaitText(gw2 + ".apis", "Time");
        assertFalse(text(gw1 + ".apis").contains("Time"), "gw1 shows only its own API: " + text(gw1 + ".apis"));
        assertFalse(text(gw2 + ".apis").contains("Echo"), "gw2 shows only its own API: " + text(gw2 + ".apis"));
        assertEquals("Public", text(gw1 + ".products"));
        assertEquals("Starter", text(gw2 + ".products"));
        awaitText(node + "td.state", "SYNCED");
        assertEquals(revision.substring(0, 12), text(node + "td.revision"));
        assertEquals("", text(node + "td.node-error"));
        assertEquals("host-a (127.0.0.1)", text(node + "td:nth-child(2)"));
        assertFalse(visible("#plane-error"), "no refused edit yet");

        script("window.gatehouseTestMarker = 'still the first load';");
        Heartbeat failing = new Heartbeat("gw1-node-a", "host-a", "0.1.0", "REFUSED", Optional.of(revision),
                                          Optional.of("policy.xml line 3: boom"), Optional.empty(), 2, 60, false);
        assertEquals(204, mp.heartbeat("gw1", failing).statusCode());
        awaitText(node + "td.node-error", "policy.xml line 3: boom");
        awaitText(node + "td.state", "REFUSED");
        assertTrue(samePage(), "the page updated itself; it was not reloaded");

        Files.writeString(mp.artifacts.resolve("apis/time/apiInformation.json"), "{ broken");
        ManagementPlaneFixture.eventually(PAGE, "#plane-error becomes visible", () -> visible("#plane-error"));
        awaitText("#plane-error", "apis/time/apiInformation.json");
        assertTrue(samePage(), "the page updated itself; it was not reloaded");
    }
}

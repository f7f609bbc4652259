package io.gatehouse.management;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

import io.gatehouse.federation.Heartbeat;

/**
 * The status page in a real headless Chromium (Debian's chromium and chromium-driver): the landscape renders, and
 * updates without a reload when a node reports an error or an edit is refused.
 */
class StatusPageBrowserTest {

    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");

    @TempDir
    Path tmp;
    private ManagementPlaneFixture mp;
    private WebDriver browser;

    @BeforeEach
    void start() throws Exception {
        if (!Files.isExecutable(CHROMIUM) || !Files.isExecutable(CHROMEDRIVER)) {
            fail("this test drives a real browser: install the Debian packages chromium and chromium-driver"
                         + " (.ci/run does)");
        }
        mp = new ManagementPlaneFixture(tmp);
        ChromeOptions options = new ChromeOptions()
                .setBinary(CHROMIUM.toFile())
                .addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                              "--user-data-dir=" + tmp.resolve("chromium-profile"));
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(CHROMEDRIVER.toString()))
                .usingAnyFreePort()
                .build();
        browser = new ChromeDriver(service, options);
    }

    @AfterEach
    void stop() throws Exception {
        if (browser != null) {
            browser.quit();
        }
        if (mp != null) {
            mp.close();
        }
    }

    /**
     * The text of the first element matching a CSS selector, read in one script call: the page re-renders every two
     * seconds, so an element found in one call may be gone by the next.
     */
    private String text(String css) {
        Object text = ((JavascriptExecutor) browser).executeScript(
                "const e = document.querySelector(arguments[0]); return e === null ? null : e.innerText;", css);
        return text == null ? null : text.toString();
    }

    private boolean visible(String css) {
        return Boolean.TRUE.equals(((JavascriptExecutor) browser).executeScript(
                "const e = document.querySelector(arguments[0]); return e !== null && !e.hidden;", css));
    }

    private void awaitText(String css, String expected) throws Exception {
        ManagementPlaneFixture.eventually("the page shows '" + expected + "' in " + css, () -> {
            String actual = text(css);
            return actual != null && actual.contains(expected);
        });
    }

    /** Gateways with their APIs and products, nodes with state and revision; errors appear live. */
    @Test
    void pageShowsTheLandscapeAndUpdatesLive() throws Exception {
        String revision = mp.folder.servedTo("gw1").revision();
        mp.post("/gateways/gw1/heartbeat", new Heartbeat("gw1-node-a", "host-a", "1.0", "SYNCED", Optional.of(revision),
                                                         Optional.empty(), Optional.empty(), 1, 60, false).toJson(),
                "Authorization", mp.token("gw1"));
        browser.get(mp.uri("/").toString());

        String gw1 = "section.gateway[data-gateway='gw1'] ";
        String gw2 = "section.gateway[data-gateway='gw2'] ";
        String nodeA = gw1 + "tr.node[data-node='gw1-node-a'] ";
        awaitText(gw1 + ".apis", "Echo (/echo)");
        awaitText(gw2 + ".apis", "Time (/time)");
        awaitText(gw1 + ".products", "Public");
        awaitText(nodeA + "td.state", "SYNCED");
        assertEquals(revision.substring(0, 12), text(nodeA + "td.revision"));
        assertEquals("No node has reported yet.", text(gw2 + ".no-nodes"));
        assertFalse(visible("#plane-error"));

        mp.post("/gateways/gw1/heartbeat", new Heartbeat("gw1-node-a", "host-a", "1.0", "REFUSED", Optional.of(revision),
                                                         Optional.of("policy.xml line 3: boom"), Optional.empty(), 2, 60,
                                                         false).toJson(),
                "Authorization", mp.token("gw1"));
        awaitText(nodeA + "td.node-error", "policy.xml line 3: boom");
        awaitText(nodeA + "td.state", "REFUSED");

        Files.writeString(mp.artifacts.resolve("apis/time/apiInformation.json"), "{ broken");
        awaitText("#plane-error", "apiInformation.json");
        assertTrue(visible("#plane-error"));
    }
}

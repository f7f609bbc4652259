package io.gatehouse.management;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An edit of the artifacts folder that does not read is refused whole, and shown, until the folder is fixed. */
class RefusedEditTest {

    private static final String ECHO = "apis/echo/apiInformation.json";
    private static final Duration RELOAD = Duration.ofSeconds(20);

    @TempDir
    Path tmp;
    private ManagementPlaneFixture mp;
    private String goodEcho;
    private String etag;
    private String planeRevision;

    @BeforeEach
    void start() throws Exception {
        mp = new ManagementPlaneFixture(tmp);
        goodEcho = Files.readString(mp.artifacts.resolve(ECHO));
        etag = mp.configuration("gw1", "").headers().firstValue("ETag").orElseThrow();
        planeRevision = plane().get("revision").asText();
    }

    @AfterEach
    void stop() throws Exception {
        if (mp != null) {
            mp.close();
        }
    }

    private JsonNode plane() throws Exception {
        return mp.landscape().get("managementPlane");
    }

    private void breakEcho() throws Exception {
        Files.writeString(mp.artifacts.resolve(ECHO), "{ \"properties\": { \"displayName\": ");
        ManagementPlaneFixture.eventually(RELOAD, "the broken edit is noticed", () -> !plane().get("lastError").isNull());
    }

    /** A malformed file is refused: the previous revision keeps being served and lastError names the file. */
    @Test
    void malformedFileIsRefusedAndThePreviousRevisionKeepsServing() throws Exception {
        assertTrue(plane().get("lastError").isNull(), "no error before the edit");
        breakEcho();

        JsonNode error = plane().get("lastError");
        assertTrue(error.get("message").asText().contains(ECHO), error.toString());
        assertTrue(error.hasNonNull("at"), error.toString());
        assertEquals(planeRevision, plane().get("revision").asText(), "the landscape still shows the last good revision");
        assertEquals(304, mp.configuration("gw1", "", "If-None-Match", etag).statusCode(),
                     "the gateway is still sent the last good revision");
        assertEquals(etag, mp.configuration("gw1", "").headers().firstValue("ETag").orElseThrow());
    }

    /** Fixing the file clears lastError and serves the fixed folder as a new revision. */
    @Test
    void fixingTheFileClearsTheErrorAndServesANewRevision() throws Exception {
        breakEcho();
        Files.writeString(mp.artifacts.resolve(ECHO), goodEcho.replace("\"displayName\": \"Echo\"",
                                                                        "\"displayName\": \"Echo, fixed\""));
        ManagementPlaneFixture.eventually(RELOAD, "the fixed folder is served",
                                          () -> mp.configuration("gw1", "", "If-None-Match", etag).statusCode() == 200);

        assertTrue(plane().get("lastError").isNull(), plane().toString());
        assertNotEquals(planeRevision, plane().get("revision").asText());
        String fixed = mp.configuration("gw1", "").body();
        assertTrue(fixed.contains("Echo, fixed"), fixed);
    }

    /** Restoring the file exactly as it was clears lastError; the revision is the one served all along. */
    @Test
    void restoringTheFileClearsTheError() throws Exception {
        breakEcho();
        Files.writeString(mp.artifacts.resolve(ECHO), goodEcho);
        ManagementPlaneFixture.eventually(RELOAD, "the error clears", () -> plane().get("lastError").isNull());
        assertEquals(planeRevision, plane().get("revision").asText());
        assertEquals(304, mp.configuration("gw1", "", "If-None-Match", etag).statusCode());
    }
}

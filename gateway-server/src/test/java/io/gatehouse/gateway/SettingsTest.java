package io.gatehouse.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Settings from dotted and upper-case environment names, env files and YAML, and the errors bad ones give. */
class SettingsTest {

    @TempDir
    Path dir;

    static Settings load(Map<String, String> env) throws SettingsException {
        return Settings.load(env, Optional.empty(), Optional.empty(), Map.of());
    }

    /** Dotted names, as docker run --env-file passes an env.conf, are read. */
    @Test
    void dottedEnvironmentNames() throws SettingsException {
        Settings s = load(Map.of("net.server.http.port", "9999", "gateway.backend.failure-mode", "proxy"));
        assertEquals(9999, s.integer(SettingKey.NET_SERVER_HTTP_PORT));
        assertEquals("proxy", s.string(SettingKey.GATEWAY_BACKEND_FAILURE_MODE));
    }

    /** Upper-case names map to the same keys; unrelated variables are ignored. */
    @Test
    void upperCaseEnvironmentNames() throws SettingsException {
        Settings s = load(Map.of("NET_SERVER_HTTP_PORT", "7000", "GATEWAY_BACKEND_FAILURE_MODE", "proxy", "PATH", "/bin",
                                 "CONFIG_SOMETHING_ELSE", "x"));
        assertEquals(7000, s.integer(SettingKey.NET_SERVER_HTTP_PORT));
        assertEquals("proxy", s.string(SettingKey.GATEWAY_BACKEND_FAILURE_MODE));
    }

    /** APIM's informational keys from a portal env.conf are accepted. */
    @Test
    void apimInformationalKeysAccepted() throws SettingsException {
        Settings s = load(Map.of("runtime.deployment.artifact.source", "Azure Portal",
                                 "runtime.deployment.mechanism", "Docker", "neighborhood.host", "x"));
        assertEquals(8080, s.integer(SettingKey.NET_SERVER_HTTP_PORT));
    }

    /** An unknown key in our namespaces stops start-up, naming the key and suggesting the right one. */
    @Test
    void unknownKeyRefused() {
        SettingsException e = assertThrows(SettingsException.class, () -> load(Map.of("net.server.http.prot", "1")));
        assertTrue(e.getMessage().contains("net.server.http.prot (from environment): unknown setting"), e.getMessage());
        assertTrue(e.getMessage().contains("did you mean net.server.http.port"), e.getMessage());
    }

    /** A malformed value stops start-up, naming the key. */
    @Test
    void malformedValueRefused() {
        SettingsException e = assertThrows(SettingsException.class, () -> load(Map.of("net.server.http.port", "eighty")));
        assertTrue(e.getMessage().contains("net.server.http.port (from environment): must be an integer, was 'eighty'"),
                   e.getMessage());
        e = assertThrows(SettingsException.class, () -> load(Map.of("policy.unknown-elements", "ignore")));
        assertTrue(e.getMessage().contains("policy.unknown-elements"), e.getMessage());
    }

    /** An env file is read as docker reads it; a bad line names the file and line. */
    @Test
    void envFile() throws IOException, SettingsException {
        Path file = dir.resolve("env.conf");
        Files.writeString(file, "# comment\n\nconfig.local.path=/tmp/x\nnet.server.http.port=8181\n");
        Settings s = Settings.load(Map.of(), Optional.empty(), Optional.of(file), Map.of());
        assertEquals("/tmp/x", s.string(SettingKey.CONFIG_LOCAL_PATH));
        assertEquals(8181, s.integer(SettingKey.NET_SERVER_HTTP_PORT));
        Files.writeString(file, "net.server.http.port=1\nthis line is wrong\n");
        SettingsException e = assertThrows(SettingsException.class,
                                           () -> Settings.load(Map.of(), Optional.empty(), Optional.of(file), Map.of()));
        assertTrue(e.getMessage().contains("env.conf:2: expected key=value"), e.getMessage());
    }

    /** A YAML file is read as nested keys; the environment wins over it. */
    @Test
    void yamlFileAndPrecedence() throws IOException, SettingsException {
        Path file = dir.resolve("gatehouse.yaml");
        Files.writeString(file, "net:\n  server:\n    http:\n      port: 8282\ngateway:\n  region: west\n");
        Settings s = Settings.load(Map.of("gateway.region", "east"), Optional.of(file), Optional.empty(), Map.of());
        assertEquals(8282, s.integer(SettingKey.NET_SERVER_HTTP_PORT));
        assertEquals("east", s.string(SettingKey.GATEWAY_REGION));
        assertEquals("environment", s.source(SettingKey.GATEWAY_REGION));
    }

    /** Every key is documented in docs/settings.md. */
    @Test
    void everyKeyDocumented() throws IOException {
        String doc = Files.readString(Path.of("..", "docs", "settings.md"));
        for (SettingKey k : SettingKey.values()) {
            assertTrue(doc.contains("`" + k.key() + "`"), k.key() + " is missing from docs/settings.md");
        }
    }
}

package io.gatehouse.federation;

import java.io.IOException;
import java.net.Socket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedTrustManager;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.gatehouse.config.ConfigException;
import io.gatehouse.config.Snapshot;
import io.gatehouse.config.SnapshotJson;

/**
 * The gateway's HTTP calls to the management plane: fetch (or watch) its configuration, send a heartbeat. Plain
 * blocking calls on the JDK's HTTP client; TLS is verified against the JDK's trust store unless switched off.
 */
final class ManagementPlaneClient {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final URI base;
    private final String gatewayId;
    private final String authorization;
    private final Duration callTimeout;
    private final HttpClient client;

    /** What a configuration request gave. */
    sealed interface Answer {
    }

    /**
     * A new snapshot.
     *
     * @param snapshot the snapshot, verified against its revision
     * @param json     the document as it came, which the backup stores (it is the snapshot's JSON form)
     */
    record Fetched(Snapshot snapshot, byte[] json) implements Answer {
        /** @return its size on the wire */
        int bytes() {
            return json.length;
        }
    }

    /** The known revision is still current. */
    record NotModified() implements Answer {
    }

    /**
     * The management plane said no.
     *
     * @param status  the HTTP status
     * @param message its message, or a description of the body
     */
    record Refused(int status, String message) implements Answer {

        /** @return whether the token was refused */
        boolean unauthorized() {
            return status == 401 || status == 403;
        }
    }

    ManagementPlaneClient(URI base, GatewayToken token, Duration callTimeout, boolean disableCertificateValidation) {
        this.base = base;
        this.gatewayId = token.gatewayId();
        this.authorization = token.text();
        this.callTimeout = callTimeout;
        HttpClient.Builder builder = HttpClient.newBuilder()
                .connectTimeout(Duration.ofSeconds(10))
                .followRedirects(HttpClient.Redirect.NEVER);
        if (disableCertificateValidation) {
            builder.sslContext(trustingEverything());
        }
        this.client = builder.build();
    }

    /**
     * Asks for the gateway's configuration.
     *
     * @param known the revision the gateway has seen, if any ({@code If-None-Match})
     * @param wait  how long the management plane may hold the request for a change; zero to answer at once
     * @return the answer
     * @throws IOException          if the management plane cannot be reached or the answer is cut off
     * @throws InterruptedException if interrupted
     */
    Answer configuration(Optional<String> known, Duration wait) throws IOException, InterruptedException {
        String query = wait.isZero() ? "" : "?wait=" + wait.toSeconds();
        HttpRequest.Builder request = HttpRequest.newBuilder(endpoint("configuration" + query))
                .timeout(callTimeout.plus(wait))
                .header("Authorization", authorization)
                .header("Accept", "application/json")
                .GET();
        known.ifPresent(revision -> request.header("If-None-Match", "\"" + revision + "\""));
        HttpResponse<byte[]> response = client.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
        return switch (response.statusCode()) {
            case 200 -> {
                try {
                    yield new Fetched(SnapshotJson.read(response.body(), "the management plane's answer"), response.body());
                } catch (ConfigException e) {
                    yield new Refused(200, "the management plane sent a snapshot that does not read: " + e.getMessage());
                }
            }
            case 304 -> new NotModified();
            default -> new Refused(response.statusCode(), message(response));
        };
    }

    /**
     * Sends a heartbeat.
     *
     * @param heartbeat the heartbeat
     * @return empty if accepted, else the refusal
     * @throws IOException          if the management plane cannot be reached
     * @throws InterruptedException if interrupted
     */
    Optional<Refused> heartbeat(Heartbeat heartbeat) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(endpoint("heartbeat"))
                .timeout(callTimeout)
                .header("Authorization", authorization)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(heartbeat.toJson()))
                .build();
        HttpResponse<byte[]> response = client.send(request, HttpResponse.BodyHandlers.ofByteArray());
        return response.statusCode() / 100 == 2 ? Optional.empty()
                : Optional.of(new Refused(response.statusCode(), message(response)));
    }

    private URI endpoint(String leaf) {
        String root = base.toString().endsWith("/") ? base.toString() : base + "/";
        return URI.create(root + "gateways/" + URLEncoder.encode(gatewayId, StandardCharsets.UTF_8) + "/" + leaf);
    }

    /** The APIM-shaped {@code message} of an error body, else the start of the body. */
    private static String message(HttpResponse<byte[]> response) {
        String body = new String(response.body(), StandardCharsets.UTF_8);
        try {
            JsonNode json = MAPPER.readTree(body);
            if (json != null && json.hasNonNull("message")) {
                return json.get("message").asText();
            }
        } catch (IOException notJson) {
            // fall through to the raw text
        }
        String text = body.strip();
        return "HTTP " + response.statusCode() + (text.isEmpty() ? "" : ": " + text.substring(0, Math.min(200, text.length())));
    }

    /** For {@code config.service.endpoint.disableCertificateValidation}: accepts any certificate and host name. */
    private static SSLContext trustingEverything() {
        TrustManager trustAll = new X509ExtendedTrustManager() {
            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType) {
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType) {
            }

            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) {
            }

            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
            }

            @Override
            public X509Certificate[] getAcceptedIssuers() {
                return new X509Certificate[0];
            }
        };
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, new TrustManager[] {trustAll}, new SecureRandom());
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("TLS is not available in this JDK", e);
        }
    }
}

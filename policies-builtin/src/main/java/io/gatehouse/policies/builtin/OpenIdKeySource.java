package io.gatehouse.policies.builtin;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;

import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.util.JSONObjectUtils;

/**
 * The signing keys published behind one {@code openid-config url}: the OpenID Connect discovery document, then the
 * JWK set its {@code jwks_uri} names.
 *
 * <p>Keys are fetched on first use, not when a snapshot compiles (compiling stays free of network calls, and
 * {@code ./gatehouse validate} and the management plane compile too), then kept for {@link #MAX_AGE}. A token whose
 * {@code kid} is not among them refreshes the set at once, as identity providers rotate keys, but at most every
 * {@link #MIN_REFRESH_INTERVAL}, so tokens with made-up key ids cannot make the gateway hammer the provider. A
 * failed fetch keeps the keys it had and is logged; one source per URL is shared by every policy and snapshot.
 */
final class OpenIdKeySource {

    /** How long fetched keys are used before they are fetched again. */
    static final Duration MAX_AGE = Duration.ofHours(1);
    /** The shortest time between two fetches of the same URL. */
    static final Duration MIN_REFRESH_INTERVAL = Duration.ofSeconds(30);

    private static final System.Logger LOG = System.getLogger(OpenIdKeySource.class.getName());
    private static final Map<URI, OpenIdKeySource> SOURCES = new ConcurrentHashMap<>();
    private static final int MAX_DOCUMENT_BYTES = 1 << 20;
    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final HttpClient CLIENT = HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(5))
            .followRedirects(HttpClient.Redirect.NORMAL)
            .build();

    private final URI url;
    private final ReentrantLock fetching = new ReentrantLock();
    private final AtomicBoolean refreshing = new AtomicBoolean();
    private volatile List<JWK> keys;
    private volatile String issuer;
    private volatile Instant fetchedAt = Instant.EPOCH;
    private volatile Instant triedAt = Instant.EPOCH;

    private OpenIdKeySource(URI url) {
        this.url = url;
    }

    /** The shared source for a discovery URL. */
    static OpenIdKeySource of(URI url) {
        return SOURCES.computeIfAbsent(url, OpenIdKeySource::new);
    }

    URI url() {
        return url;
    }

    /**
     * The {@code issuer} of the discovery document, once it has been fetched.
     *
     * @return the issuer, or empty before a successful fetch or when the document has none
     */
    Optional<String> issuer() {
        return Optional.ofNullable(issuer);
    }

    /**
     * The keys to check a token with.
     *
     * @param clock      the gateway's clock
     * @param unknownKid whether the caller found no key for the token's {@code kid} in the last answer
     * @return the keys, empty when none could ever be fetched
     */
    List<JWK> keys(Clock clock, boolean unknownKid) {
        List<JWK> current = keys;
        Instant now = clock.instant();
        if (now.isAfter(triedAt.plus(MIN_REFRESH_INTERVAL))) {
            if (current == null || unknownKid) {
                // Nothing to check this token with until the fetch answers: wait for it.
                fetch(clock);
            } else if (now.isAfter(fetchedAt.plus(MAX_AGE)) && refreshing.compareAndSet(false, true)) {
                // The keys we have still work: refresh them beside the traffic.
                Thread.ofVirtual().name("openid-keys-refresh").start(() -> {
                    try {
                        fetch(clock);
                    } finally {
                        refreshing.set(false);
                    }
                });
            }
        }
        List<JWK> after = keys;
        return after == null ? List.of() : after;
    }

    private void fetch(Clock clock) {
        fetching.lock();
        try {
            // Whoever held the lock before may have fetched already.
            if (!clock.instant().isAfter(triedAt.plus(MIN_REFRESH_INTERVAL))) {
                return;
            }
            triedAt = clock.instant();
            Map<String, Object> discovery = JSONObjectUtils.parse(get(url));
            Object jwksUri = discovery.get("jwks_uri");
            if (!(jwksUri instanceof String s) || s.isBlank()) {
                throw new IOException("the document has no \"jwks_uri\"");
            }
            List<JWK> fetched = JWKSet.parse(get(url.resolve(s))).getKeys();
            if (discovery.get("issuer") instanceof String i && !i.isBlank()) {
                issuer = i;
            }
            keys = List.copyOf(fetched);
            fetchedAt = clock.instant();
            LOG.log(System.Logger.Level.DEBUG, () -> "validate-jwt: " + fetched.size() + " signing keys from " + url);
        } catch (IOException | ParseException e) {
            List<JWK> kept = keys;
            LOG.log(System.Logger.Level.WARNING, "validate-jwt: cannot load signing keys from openid-config " + url + ": "
                    + e.getMessage() + (kept == null ? "" : "; keeping the " + kept.size() + " keys fetched before"));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            fetching.unlock();
        }
    }

    private static String get(URI uri) throws IOException, InterruptedException {
        if (!"https".equals(uri.getScheme()) && !"http".equals(uri.getScheme())) {
            throw new IOException("not an http(s) URL: " + uri);
        }
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(TIMEOUT).header("Accept", "application/json").GET()
                .build();
        HttpResponse<InputStream> response = CLIENT.send(request, HttpResponse.BodyHandlers.ofInputStream());
        try (InputStream body = response.body()) {
            if (response.statusCode() != 200) {
                throw new IOException(uri + " answered " + response.statusCode());
            }
            byte[] bytes = body.readNBytes(MAX_DOCUMENT_BYTES + 1);
            if (bytes.length > MAX_DOCUMENT_BYTES) {
                throw new IOException(uri + " sent more than " + MAX_DOCUMENT_BYTES + " bytes");
            }
            return new String(bytes, StandardCharsets.UTF_8);
        }
    }
}

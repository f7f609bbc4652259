package io.gatehouse.management;

import java.io.IOException;
import java.time.Instant;
import java.util.Optional;

import io.gatehouse.federation.GatewayToken;

/**
 * Checks a gateway's {@code Authorization} header: a well-formed {@code GatewayKey} token, for the gateway named in
 * the path, not expired, not valid for more than 30 days, signed with the gateway's primary or secondary key. Each
 * refusal says which check failed, so an operator can fix the right thing.
 */
final class GatewayAuthenticator {

    private final GatewayKeys keys;

    GatewayAuthenticator(GatewayKeys keys) {
        this.keys = keys;
    }

    /**
     * Checks a request.
     *
     * @param authorization the header, if sent
     * @param gatewayId     the gateway named in the path
     * @param now           the current time
     * @return why the request is refused, or empty if it is accepted
     * @throws IOException if the keys file cannot be read
     */
    Optional<String> refusal(Optional<String> authorization, String gatewayId, Instant now) throws IOException {
        if (authorization.isEmpty() || authorization.get().isBlank()) {
            return Optional.of("Missing gateway token: send 'Authorization: GatewayKey <id>&<expiry>&<signature>'.");
        }
        GatewayToken token;
        try {
            token = GatewayToken.parse(authorization.get());
        } catch (IllegalArgumentException e) {
            return Optional.of("Malformed gateway token: " + e.getMessage() + ".");
        }
        if (!token.gatewayId().equals(gatewayId)) {
            return Optional.of("Gateway token is for gateway '" + token.gatewayId() + "', not '" + gatewayId + "'.");
        }
        if (token.expiredAt(now)) {
            return Optional.of("Gateway token expired at " + token.expiry() + ".");
        }
        if (token.expiry().isAfter(now.plus(GatewayToken.MAX_VALIDITY).plusSeconds(60))) {
            return Optional.of("Gateway token expiry is more than 30 days ahead.");
        }
        Optional<GatewayKeys.Keys> gatewayKeys = keys.of(gatewayId);
        if (gatewayKeys.isEmpty()) {
            return Optional.of("Unknown gateway '" + gatewayId + "'.");
        }
        if (!token.signedByAnyOf(gatewayKeys.get().both())) {
            return Optional.of("Gateway token signature does not match any key of gateway '" + gatewayId + "'.");
        }
        return Optional.empty();
    }
}

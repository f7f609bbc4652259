package io.gatehouse.policies.builtin;

import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Optional;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWEDecrypter;
import com.nimbusds.jose.crypto.factories.DefaultJWEDecrypterFactory;
import com.nimbusds.jwt.EncryptedJWT;
import com.nimbusds.jwt.JWT;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.JWTParser;
import com.nimbusds.jwt.SignedJWT;

import io.gatehouse.policy.expressions.Jwts;
import io.gatehouse.policy.spi.Flow;
import io.gatehouse.policy.spi.Jwt;
import io.gatehouse.policy.spi.Policy;
import io.gatehouse.policy.spi.PolicyContext;
import io.gatehouse.policy.spi.PolicyException;

/**
 * One compiled {@code validate-jwt}: finds the token, decrypts it when it is encrypted, checks its signature, its
 * lifetime, audience, issuer and required claims in that order, and stores it in {@code output-token-variable-name}.
 * The first failed check ends the pipeline with its reason in {@code context.LastError.Reason}; the caller sees
 * {@code failed-validation-error-message} when one is set, otherwise a message saying which check failed.
 */
final class ValidateJwtPolicy implements Policy {

    private static final DefaultJWEDecrypterFactory DECRYPTERS = new DefaultJWEDecrypterFactory();

    /** What {@link ValidateJwtProvider} bound from the element. */
    record Config(TokenSource source, int failureStatus, Optional<String> failureMessage, boolean requireExpirationTime,
                  boolean requireSignedTokens, Duration clockSkew, Optional<String> outputVariable, SigningKeys signingKeys,
                  List<SigningKeys.InlineKey> decryptionKeys, List<String> audiences, List<String> issuers,
                  List<RequiredClaim> requiredClaims, Optional<Tenant> tenant) {
    }

    /**
     * What {@code validate-azure-ad-token} checks beyond {@code validate-jwt}: the issuer is the tenant's (as its
     * discovery document names it, or the v1 {@code sts.windows.net} form of it), and the calling application
     * ({@code azp}, or {@code appid} in v1 tokens) is one of {@code client-application-ids} when they are given.
     */
    record Tenant(OpenIdKeySource discovery, List<String> clientApplicationIds) {
    }

    private final Config config;

    ValidateJwtPolicy(Config config) {
        this.config = config;
    }

    @Override
    public Flow apply(PolicyContext context) throws PolicyException {
        Optional<String> text = config.source().token(context);
        if (text.isEmpty()) {
            throw failure("TokenNotPresent", "JWT not present.");
        }
        JWT token;
        try {
            token = JWTParser.parse(text.get());
        } catch (ParseException e) {
            throw failure("JwtInvalid", "JWT Validation Failed: the token is malformed.");
        }
        if (token instanceof EncryptedJWT encrypted) {
            token = decrypt(encrypted);
        }
        Clock clock = context.services().clock();
        if (token instanceof SignedJWT signed) {
            switch (config.signingKeys().verify(signed, clock)) {
                case VERIFIED -> { }
                case NO_KEY -> throw failure("TokenSignatureKeyNotFound",
                                             "JWT Validation Failed: no signing key matches the token.");
                case INVALID -> throw failure("TokenSignatureInvalid", "JWT Validation Failed: Signature validation failed.");
                default -> throw new IllegalStateException();
            }
        } else if (config.requireSignedTokens()) {
            throw failure("TokenNotSigned", "JWT Validation Failed: the token is not signed.");
        }
        JWTClaimsSet claims;
        try {
            claims = token.getJWTClaimsSet();
        } catch (ParseException e) {
            throw failure("JwtInvalid", "JWT Validation Failed: the token's claims are not a JSON object.");
        }
        checkLifetime(claims, clock.instant());
        if (!config.audiences().isEmpty() && claims.getAudience().stream().noneMatch(config.audiences()::contains)) {
            throw failure("TokenAudienceNotAllowed", "JWT Validation Failed: Audience validation failed.");
        }
        if (!config.issuers().isEmpty() && !config.issuers().contains(claims.getIssuer())) {
            throw failure("TokenIssuerNotAllowed", "JWT Validation Failed: Issuer validation failed.");
        }
        if (config.tenant().isPresent()) {
            checkTenant(config.tenant().get(), claims);
        }
        Jwt jwt = Jwts.fromClaims(token.getHeader(), claims);
        for (RequiredClaim required : config.requiredClaims()) {
            List<String> present = jwt.claims().get(required.name());
            if (present == null) {
                throw failure("TokenClaimNotFound", "JWT Validation Failed: Claim not found: " + required.name() + ".");
            }
            if (!required.matches(present)) {
                throw failure("TokenClaimValueNotAllowed",
                              "JWT Validation Failed: Claim value not allowed: " + required.name() + ".");
            }
        }
        if (config.outputVariable().isPresent()) {
            context.variables().set(config.outputVariable().get(), jwt);
        }
        return Flow.CONTINUE;
    }

    private JWT decrypt(EncryptedJWT encrypted) throws PolicyException {
        if (config.decryptionKeys().isEmpty()) {
            throw failure("TokenDecryptionFailed", "JWT Validation Failed: the token is encrypted and no decryption-keys"
                    + " are configured.");
        }
        for (SigningKeys.InlineKey key : config.decryptionKeys()) {
            String kid = encrypted.getHeader().getKeyID();
            if (kid != null && !key.id().isEmpty() && !key.id().equals(kid)) {
                continue;
            }
            try {
                JWEDecrypter decrypter = DECRYPTERS.createJWEDecrypter(encrypted.getHeader(), key.key());
                // EncryptedJWT can be decrypted once only: work on a fresh copy for each key.
                EncryptedJWT copy = EncryptedJWT.parse(encrypted.serialize());
                copy.decrypt(decrypter);
                SignedJWT nested = copy.getPayload().toSignedJWT();
                return nested != null ? nested : copy;
            } catch (JOSEException | ParseException | IllegalStateException e) {
                // Not this key (or a kind of key the token's algorithm cannot use): try the next one.
            }
        }
        throw failure("TokenDecryptionFailed", "JWT Validation Failed: the token could not be decrypted.");
    }

    private void checkLifetime(JWTClaimsSet claims, Instant now) throws PolicyException {
        Date exp = claims.getExpirationTime();
        if (exp == null && config.requireExpirationTime()) {
            throw failure("TokenExpirationTimeNotPresent", "JWT Validation Failed: the token has no expiration time.");
        }
        if (exp != null && now.isAfter(exp.toInstant().plus(config.clockSkew()))) {
            throw failure("TokenExpired", "JWT Validation Failed: Lifetime validation failed. The token is expired.");
        }
        Date nbf = claims.getNotBeforeTime();
        if (nbf != null && now.isBefore(nbf.toInstant().minus(config.clockSkew()))) {
            throw failure("TokenNotYetValid", "JWT Validation Failed: Lifetime validation failed. The token is not yet"
                    + " valid.");
        }
    }

    private void checkTenant(Tenant tenant, JWTClaimsSet claims) throws PolicyException {
        String iss = claims.getIssuer();
        Object tid = claims.getClaim("tid");
        Optional<String> expected = tenant.discovery().issuer();
        boolean v2 = expected.isPresent() && expected.get().equals(iss);
        boolean v1 = expected.isPresent() && tid instanceof String t && !t.isEmpty() && expected.get().contains(t)
                && ("https://sts.windows.net/" + t + "/").equals(iss);
        if (!v2 && !v1) {
            throw failure("TokenIssuerNotAllowed", "JWT Validation Failed: Issuer validation failed.");
        }
        if (!tenant.clientApplicationIds().isEmpty()) {
            Object app = claims.getClaim("azp") != null ? claims.getClaim("azp") : claims.getClaim("appid");
            if (!(app instanceof String a) || !tenant.clientApplicationIds().contains(a)) {
                throw failure("TokenClientApplicationNotAllowed",
                              "JWT Validation Failed: the calling application is not allowed.");
            }
        }
    }

    private PolicyException failure(String reason, String detail) {
        return PolicyException.clientError(reason, config.failureMessage().orElse(detail), config.failureStatus());
    }

    @Override
    public String toString() {
        return "validate-jwt[" + config.source() + ", keys=" + config.signingKeys().inlineCount() + " inline + "
                + config.signingKeys().published().size() + " openid-config, audiences=" + config.audiences().size()
                + ", issuers=" + config.issuers().size() + ", required-claims=" + config.requiredClaims().size() + "]";
    }
}

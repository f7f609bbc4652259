package io.gatehouse.policies.builtin;

import java.security.Key;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.factories.DefaultJWSVerifierFactory;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.OctetSequenceKey;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.SignedJWT;

/**
 * The keys a {@code validate-jwt} checks signatures with: those given in {@code issuer-signing-keys} and those
 * published behind each {@code openid-config}.
 *
 * <p>As APIM (through .NET's token handler): a token naming a key ({@code kid}) is checked with the keys of that id
 * and with the keys that have no id; a token naming none with every key. The algorithm comes from the token's
 * header, but only a key of the matching kind can verify it, so an RSA public key can never be used as an HMAC
 * secret (the classic algorithm-confusion attack).
 */
final class SigningKeys {

    private static final DefaultJWSVerifierFactory VERIFIERS = new DefaultJWSVerifierFactory();

    /** How a signature check ended. */
    enum Outcome {
        /** One of the keys verified the signature. */
        VERIFIED,
        /** No key fits the token: none of its id, or none of its algorithm's kind. */
        NO_KEY,
        /** Keys fit, but none verified the signature. */
        INVALID
    }

    /** One key given in the policy: its id (empty when it has none) and the key. */
    record InlineKey(String id, Key key) {
        InlineKey {
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(key, "key");
        }
    }

    private final List<InlineKey> inline;
    private final List<OpenIdKeySource> published;

    SigningKeys(List<InlineKey> inline, List<OpenIdKeySource> published) {
        this.inline = List.copyOf(inline);
        this.published = List.copyOf(published);
    }

    boolean isEmpty() {
        return inline.isEmpty() && published.isEmpty();
    }

    int inlineCount() {
        return inline.size();
    }

    List<OpenIdKeySource> published() {
        return published;
    }

    /** Checks a signed token's signature. */
    Outcome verify(SignedJWT token, Clock clock) {
        JWSHeader header = token.getHeader();
        String kid = header.getKeyID();
        List<Key> candidates = new ArrayList<>();
        for (InlineKey k : inline) {
            if (kid == null || k.id().isEmpty() || k.id().equals(kid)) {
                candidates.add(k.key());
            }
        }
        boolean publishedHasKid = collectPublished(header, clock, false, candidates);
        Outcome outcome = tryKeys(token, candidates);
        if (outcome != Outcome.VERIFIED && kid != null && !publishedHasKid && !published.isEmpty()) {
            // The provider may have rotated its keys since we fetched them: look again (rate-limited by the source).
            List<Key> fresh = new ArrayList<>();
            collectPublished(header, clock, true, fresh);
            Outcome second = tryKeys(token, fresh);
            if (second == Outcome.VERIFIED || outcome == Outcome.NO_KEY) {
                return second;
            }
        }
        return outcome;
    }

    /** Adds the published keys fitting the header; tells whether one of them had the token's key id. */
    private boolean collectPublished(JWSHeader header, Clock clock, boolean unknownKid, List<Key> into) {
        String kid = header.getKeyID();
        boolean found = false;
        for (OpenIdKeySource source : published) {
            for (JWK jwk : source.keys(clock, unknownKid)) {
                if (KeyUse.ENCRYPTION.equals(jwk.getKeyUse())
                        || (jwk.getAlgorithm() != null && !jwk.getAlgorithm().getName().equals(header.getAlgorithm()
                                                                                                  .getName()))) {
                    continue;
                }
                String id = jwk.getKeyID();
                if (kid != null && id != null && !id.equals(kid)) {
                    continue;
                }
                found |= kid != null && kid.equals(id);
                Key key = javaKey(jwk);
                if (key != null) {
                    into.add(key);
                }
            }
        }
        return found;
    }

    private static Outcome tryKeys(SignedJWT token, List<Key> keys) {
        boolean anyFits = false;
        for (Key key : keys) {
            JWSVerifier verifier;
            try {
                verifier = VERIFIERS.createJWSVerifier(token.getHeader(), key);
            } catch (JOSEException e) {
                continue; // a key of another kind than the token's algorithm
            }
            anyFits = true;
            try {
                if (token.verify(verifier)) {
                    return Outcome.VERIFIED;
                }
            } catch (JOSEException e) {
                // An unusable key for this token (a short HMAC secret, a curve that doesn't match): try the next.
            }
        }
        return anyFits ? Outcome.INVALID : Outcome.NO_KEY;
    }

    /** The Java key of a published JWK, or null for a kind a signature cannot be checked with here. */
    private static Key javaKey(JWK jwk) {
        try {
            return switch (jwk) {
                case RSAKey rsa -> rsa.toRSAPublicKey();
                case ECKey ec -> ec.toECPublicKey();
                case OctetSequenceKey oct -> oct.toSecretKey("HmacSHA256");
                default -> null;
            };
        } catch (JOSEException e) {
            return null;
        }
    }
}

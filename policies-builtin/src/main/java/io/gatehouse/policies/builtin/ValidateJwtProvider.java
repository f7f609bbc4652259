package io.gatehouse.policies.builtin;

import java.math.BigInteger;
import java.net.URI;
import java.net.URISyntaxException;
import java.security.Key;
import java.security.KeyFactory;
import java.security.NoSuchAlgorithmException;
import java.security.spec.InvalidKeySpecException;
import java.security.spec.RSAPublicKeySpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import javax.crypto.spec.SecretKeySpec;

import io.gatehouse.policy.spi.CompileContext;
import io.gatehouse.policy.spi.Policy;
import io.gatehouse.policy.spi.PolicyConfigException;
import io.gatehouse.policy.spi.PolicyElement;
import io.gatehouse.policy.spi.Value;

/**
 * {@code validate-jwt}: the request must carry a JSON web token that is signed by a trusted key, within its
 * lifetime, and has the audiences, issuers and claims the policy asks for; otherwise the caller gets
 * {@code failed-validation-httpcode} (401) with APIM's error body. As APIM, the token comes from {@code header-name}
 * (a {@code Bearer} or other scheme before it is stripped, and enforced with {@code require-scheme}),
 * {@code query-parameter-name} or {@code token-value}, and keys from {@code issuer-signing-keys} (a base64 HMAC
 * secret, or an RSA key as {@code n}/{@code e}) and from {@code openid-config} discovery documents.
 *
 * <p>What is checked is fixed when the snapshot compiles; a configuration that could never accept a signed token
 * (no keys and no {@code openid-config}) is refused then, not discovered at the first request. Keys given as
 * {@code certificate-id} are refused: Gatehouse has no certificate store.
 */
public final class ValidateJwtProvider extends BuiltinProvider {

    private static final Set<String> ATTRIBUTES = Set.of("header-name", "query-parameter-name", "token-value",
            "failed-validation-httpcode", "failed-validation-error-message", "require-expiration-time", "require-scheme",
            "require-signed-tokens", "clock-skew", "output-token-variable-name");
    private static final int MIN_HMAC_BITS = 256;

    /** Creates the provider (ServiceLoader). */
    public ValidateJwtProvider() {
        super("validate-jwt", INBOUND);
    }

    @Override
    public Policy compile(PolicyElement element, CompileContext context) throws PolicyConfigException {
        element.allowAttributes(ATTRIBUTES);
        TokenSource source = tokenSource(element);
        int code = (int) element.intAttribute("failed-validation-httpcode", 401, 100, 599);
        Optional<String> message = element.literalAttribute("failed-validation-error-message");
        boolean requireExpiration = element.booleanAttribute("require-expiration-time", true);
        boolean requireSigned = element.booleanAttribute("require-signed-tokens", true);
        Duration skew = Duration.ofSeconds(element.intAttribute("clock-skew", 0, 0, Integer.MAX_VALUE));
        Optional<String> outputVariable = element.literalAttribute("output-token-variable-name").map(String::trim);
        if (outputVariable.isPresent() && outputVariable.get().isEmpty()) {
            throw new PolicyConfigException("attribute 'output-token-variable-name' is empty");
        }

        List<SigningKeys.InlineKey> signing = new ArrayList<>();
        List<SigningKeys.InlineKey> decryption = new ArrayList<>();
        List<OpenIdKeySource> openIdConfigs = new ArrayList<>();
        List<String> audiences = new ArrayList<>();
        List<String> issuers = new ArrayList<>();
        List<RequiredClaim> claims = new ArrayList<>();
        for (PolicyElement child : element.children()) {
            switch (child.name()) {
                case "openid-config" -> openIdConfigs.add(OpenIdKeySource.of(openIdUrl(child)));
                case "issuer-signing-keys" -> signing.addAll(keys(child, "issuer-signing-keys"));
                case "decryption-keys" -> decryption.addAll(keys(child, "decryption-keys"));
                case "audiences" -> audiences.addAll(texts(child, "audience"));
                case "issuers" -> issuers.addAll(texts(child, "issuer"));
                case "required-claims" -> {
                    for (PolicyElement claim : child.children()) {
                        claims.add(claim(claim));
                    }
                }
                default -> throw new PolicyConfigException("unexpected <" + child.name() + ">; allowed: openid-config,"
                        + " issuer-signing-keys, decryption-keys, audiences, issuers, required-claims");
            }
        }
        SigningKeys keys = new SigningKeys(signing, openIdConfigs);
        if (requireSigned && keys.isEmpty()) {
            throw new PolicyConfigException("no key to check signatures with: add <issuer-signing-keys> or"
                                                    + " <openid-config url=\"...\"/>, or set require-signed-tokens=\"false\"");
        }
        for (SigningKeys.InlineKey k : decryption) {
            if (!(k.key() instanceof SecretKeySpec)) {
                throw new PolicyConfigException("decryption-keys: only symmetric keys (base64 text) are supported");
            }
        }
        return new ValidateJwtPolicy(new ValidateJwtPolicy.Config(source, code, message, requireExpiration,
                requireSigned, skew, outputVariable, keys, List.copyOf(decryption), List.copyOf(audiences),
                List.copyOf(issuers), List.copyOf(claims), Optional.empty()));
    }

    static TokenSource tokenSource(PolicyElement element) throws PolicyConfigException {
        Optional<String> header = element.literalAttribute("header-name").map(String::trim);
        Optional<String> query = element.literalAttribute("query-parameter-name").map(String::trim);
        Optional<Value> value = element.attribute("token-value");
        int given = (header.isPresent() ? 1 : 0) + (query.isPresent() ? 1 : 0) + (value.isPresent() ? 1 : 0);
        if (given != 1) {
            throw new PolicyConfigException("exactly one of 'header-name', 'query-parameter-name' and 'token-value' is"
                                                    + " required, " + given + " given");
        }
        Optional<String> scheme = element.literalAttribute("require-scheme").map(String::trim);
        if (scheme.isPresent() && header.isEmpty()) {
            throw new PolicyConfigException("attribute 'require-scheme' applies only with 'header-name'");
        }
        if (header.isPresent()) {
            if (header.get().isEmpty()) {
                throw new PolicyConfigException("attribute 'header-name' is empty");
            }
            return new TokenSource.Header(header.get(), scheme);
        }
        if (query.isPresent()) {
            if (query.get().isEmpty()) {
                throw new PolicyConfigException("attribute 'query-parameter-name' is empty");
            }
            return new TokenSource.Query(query.get());
        }
        return new TokenSource.Expression(value.orElseThrow());
    }

    private static URI openIdUrl(PolicyElement child) throws PolicyConfigException {
        child.allowAttributes(Set.of("url"));
        String url = child.literalAttribute("url")
                .orElseThrow(() -> new PolicyConfigException("<openid-config>: attribute 'url' is required")).trim();
        try {
            URI uri = new URI(url);
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if (!scheme.equals("https") && !scheme.equals("http") || uri.getHost() == null) {
                throw new PolicyConfigException("<openid-config>: '" + url + "' is not an http(s) URL");
            }
            return uri;
        } catch (URISyntaxException e) {
            throw new PolicyConfigException("<openid-config>: '" + url + "' is not a URL: " + e.getReason());
        }
    }

    static List<SigningKeys.InlineKey> keys(PolicyElement parent, String where) throws PolicyConfigException {
        List<SigningKeys.InlineKey> keys = new ArrayList<>();
        for (PolicyElement key : parent.children()) {
            if (!key.name().equals("key")) {
                throw new PolicyConfigException(where + ": unexpected <" + key.name() + ">; only <key> is allowed");
            }
            key.allowAttributes(Set.of("id", "certificate-id", "n", "e"));
            String id = key.literalAttribute("id").map(String::trim).orElse("");
            if (key.attribute("certificate-id").isPresent()) {
                throw new PolicyConfigException(where + ": <key certificate-id> is not supported (Gatehouse has no"
                                                        + " certificate store); give the RSA key as n and e, or use"
                                                        + " <openid-config>");
            }
            Optional<String> n = key.literalAttribute("n");
            Optional<String> e = key.literalAttribute("e");
            Optional<String> text = key.text().map(Value::source).map(String::trim).filter(t -> !t.isEmpty());
            if (n.isPresent() != e.isPresent()) {
                throw new PolicyConfigException(where + ": an RSA <key> needs both 'n' (modulus) and 'e' (exponent)");
            }
            if (n.isPresent() && text.isPresent()) {
                throw new PolicyConfigException(where + ": a <key> is either n and e or a base64 secret, not both");
            }
            Key k;
            if (n.isPresent()) {
                k = rsaKey(where, n.get().trim(), e.get().trim());
            } else if (text.isPresent()) {
                byte[] secret = base64(where, text.get());
                if (secret.length * 8 < MIN_HMAC_BITS) {
                    throw new PolicyConfigException(where + ": the key is " + secret.length * 8 + " bits; HMAC keys must"
                                                            + " have at least " + MIN_HMAC_BITS);
                }
                k = new SecretKeySpec(secret, "HmacSHA256");
            } else {
                throw new PolicyConfigException(where + ": a <key> needs a base64 secret as its text, or 'n' and 'e'");
            }
            keys.add(new SigningKeys.InlineKey(id, k));
        }
        if (keys.isEmpty()) {
            throw new PolicyConfigException(where + " has no <key>");
        }
        return keys;
    }

    private static Key rsaKey(String where, String n, String e) throws PolicyConfigException {
        try {
            BigInteger modulus = new BigInteger(1, base64(where + " n", n));
            BigInteger exponent = new BigInteger(1, base64(where + " e", e));
            return KeyFactory.getInstance("RSA").generatePublic(new RSAPublicKeySpec(modulus, exponent));
        } catch (NoSuchAlgorithmException | InvalidKeySpecException ex) {
            throw new PolicyConfigException(where + ": not an RSA key: " + ex.getMessage());
        }
    }

    /** Base64 in either alphabet, with or without padding, as keys are copied from JWKs or from portals. */
    private static byte[] base64(String where, String text) throws PolicyConfigException {
        String t = text.replaceAll("\\s", "");
        try {
            return t.indexOf('-') >= 0 || t.indexOf('_') >= 0 ? Base64.getUrlDecoder().decode(t)
                    : Base64.getDecoder().decode(t);
        } catch (IllegalArgumentException e) {
            throw new PolicyConfigException(where + ": the key is not base64: " + e.getMessage());
        }
    }

    static List<String> texts(PolicyElement parent, String childName) throws PolicyConfigException {
        List<String> values = new ArrayList<>();
        for (PolicyElement child : parent.children()) {
            if (!child.name().equals(childName)) {
                throw new PolicyConfigException(parent.name() + ": unexpected <" + child.name() + ">; only <" + childName
                                                        + "> is allowed");
            }
            String text = child.text().map(Value::source).map(String::trim).orElse("");
            if (text.isEmpty()) {
                throw new PolicyConfigException(parent.name() + ": an empty <" + childName + ">");
            }
            values.add(text);
        }
        return values;
    }

    static RequiredClaim claim(PolicyElement claim) throws PolicyConfigException {
        if (!claim.name().equals("claim")) {
            throw new PolicyConfigException("required-claims: unexpected <" + claim.name() + ">; only <claim> is allowed");
        }
        claim.allowAttributes(Set.of("name", "match", "separator"));
        String name = claim.literalAttribute("name").map(String::trim).filter(n -> !n.isEmpty())
                .orElseThrow(() -> new PolicyConfigException("required-claims: <claim> needs a 'name'"));
        String match = claim.literalAttribute("match").orElse("all").trim().toLowerCase(Locale.ROOT);
        if (!match.equals("all") && !match.equals("any")) {
            throw new PolicyConfigException("required-claims: <claim name=\"" + name + "\"> match must be all or any, was '"
                                                    + match + "'");
        }
        Optional<String> separator = claim.literalAttribute("separator").filter(s -> !s.isEmpty());
        return new RequiredClaim(name, match.equals("any"), separator, texts(claim, "value"));
    }
}

package io.gatehouse.policies.builtin;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import io.gatehouse.policy.spi.CompileContext;
import io.gatehouse.policy.spi.Policy;
import io.gatehouse.policy.spi.PolicyConfigException;
import io.gatehouse.policy.spi.PolicyElement;

/**
 * {@code validate-azure-ad-token}, as APIM: a {@code validate-jwt} for tokens from one Microsoft Entra ID tenant. The
 * keys and the issuer come from the tenant's OpenID discovery document
 * ({@code https://login.microsoftonline.com/<tenant-id>/v2.0/.well-known/openid-configuration}); v2 tokens carry that
 * issuer, v1 tokens its {@code https://sts.windows.net/<tenant>/} form, and both are accepted.
 * {@code backend-application-ids} and {@code audiences} give the allowed {@code aud} values (an application id also
 * allows {@code api://<id>}); {@code client-application-ids} the allowed callers ({@code azp}, or {@code appid} in
 * v1 tokens).
 *
 * <p>The authority is {@code https://login.microsoftonline.com} unless the gateway setting
 * {@code policy.validate-azure-ad-token.authority} names another (a sovereign cloud such as
 * {@code https://login.microsoftonline.us}, or a test's own identity provider).
 */
public final class ValidateAzureAdTokenProvider extends BuiltinProvider {

    static final String AUTHORITY_SETTING = "policy.validate-azure-ad-token.authority";
    private static final String DEFAULT_AUTHORITY = "https://login.microsoftonline.com";
    private static final Set<String> ATTRIBUTES = Set.of("tenant-id", "header-name", "query-parameter-name",
            "token-value", "failed-validation-httpcode", "failed-validation-error-message", "output-token-variable-name");

    /** Creates the provider (ServiceLoader). */
    public ValidateAzureAdTokenProvider() {
        super("validate-azure-ad-token", INBOUND);
    }

    @Override
    public Policy compile(PolicyElement element, CompileContext context) throws PolicyConfigException {
        element.allowAttributes(ATTRIBUTES);
        String tenant = element.literalAttribute("tenant-id").map(String::trim).filter(t -> !t.isEmpty())
                .orElseThrow(() -> new PolicyConfigException("attribute 'tenant-id' is required"));
        if (!tenant.matches("[A-Za-z0-9.-]+")) {
            throw new PolicyConfigException("'" + tenant + "' is not a tenant id (a GUID or a domain name)");
        }
        boolean tokenGiven = element.attribute("header-name").isPresent()
                || element.attribute("query-parameter-name").isPresent() || element.attribute("token-value").isPresent();
        TokenSource source = tokenGiven ? ValidateJwtProvider.tokenSource(element)
                : new TokenSource.Header("Authorization", Optional.empty());
        int code = (int) element.intAttribute("failed-validation-httpcode", 401, 100, 599);
        Optional<String> message = element.literalAttribute("failed-validation-error-message");
        Optional<String> output = element.literalAttribute("output-token-variable-name").map(String::trim)
                .filter(v -> !v.isEmpty());

        List<String> audiences = new ArrayList<>();
        List<String> clients = new ArrayList<>();
        List<RequiredClaim> claims = new ArrayList<>();
        List<SigningKeys.InlineKey> decryption = new ArrayList<>();
        for (PolicyElement child : element.children()) {
            switch (child.name()) {
                case "backend-application-ids" -> ValidateJwtProvider.texts(child, "application-id").forEach(id -> {
                    audiences.add(id);
                    audiences.add("api://" + id);
                });
                case "audiences" -> audiences.addAll(ValidateJwtProvider.texts(child, "audience"));
                case "client-application-ids" -> clients.addAll(ValidateJwtProvider.texts(child, "application-id"));
                case "required-claims" -> {
                    for (PolicyElement claim : child.children()) {
                        claims.add(ValidateJwtProvider.claim(claim));
                    }
                }
                case "decryption-keys" -> decryption.addAll(ValidateJwtProvider.keys(child, "decryption-keys"));
                default -> throw new PolicyConfigException("unexpected <" + child.name() + ">; allowed:"
                        + " client-application-ids, backend-application-ids, audiences, required-claims, decryption-keys");
            }
        }
        OpenIdKeySource discovery = OpenIdKeySource.of(discoveryUrl(context, tenant));
        return new ValidateJwtPolicy(new ValidateJwtPolicy.Config(source, code, message, true, true, Duration.ZERO,
                output, new SigningKeys(List.of(), List.of(discovery)), List.copyOf(decryption), List.copyOf(audiences),
                List.of(), List.copyOf(claims), Optional.of(new ValidateJwtPolicy.Tenant(discovery, List.copyOf(clients)))));
    }

    private static URI discoveryUrl(CompileContext context, String tenant) throws PolicyConfigException {
        String authority = context.setting(AUTHORITY_SETTING).map(String::trim).orElse(DEFAULT_AUTHORITY)
                .replaceAll("/+$", "");
        try {
            URI uri = new URI(authority + "/" + tenant + "/v2.0/.well-known/openid-configuration");
            if (uri.getHost() == null || !(uri.getScheme().equals("https") || uri.getScheme().equals("http"))) {
                throw new PolicyConfigException(AUTHORITY_SETTING + " must be an http(s) URL, was '" + authority + "'");
            }
            return uri;
        } catch (URISyntaxException e) {
            throw new PolicyConfigException(AUTHORITY_SETTING + " is not a URL: " + e.getReason());
        }
    }
}

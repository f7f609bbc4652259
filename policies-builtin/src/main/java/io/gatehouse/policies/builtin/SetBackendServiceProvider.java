package io.gatehouse.policies.builtin;

import java.net.URI;
import java.util.Set;

import io.gatehouse.policy.spi.CompileContext;
import io.gatehouse.policy.spi.Flow;
import io.gatehouse.policy.spi.Policy;
import io.gatehouse.policy.spi.PolicyConfigException;
import io.gatehouse.policy.spi.PolicyContext;
import io.gatehouse.policy.spi.PolicyElement;
import io.gatehouse.policy.spi.PolicyException;
import io.gatehouse.policy.spi.Value;

/**
 * {@code <set-backend-service base-url="https://..."/>} or {@code <set-backend-service backend-id="b1"/>} (a backend
 * from the {@code backends/} folder, resolved at load): the base URL the request is forwarded to.
 */
public final class SetBackendServiceProvider extends BuiltinProvider {

    /** Creates the provider (ServiceLoader). */
    public SetBackendServiceProvider() {
        super("set-backend-service", REQUEST);
    }

    @Override
    public Policy compile(PolicyElement element, CompileContext context) throws PolicyConfigException {
        element.allowAttributes(Set.of("base-url", "backend-id"));
        boolean hasUrl = element.attribute("base-url").isPresent();
        boolean hasId = element.attribute("backend-id").isPresent();
        if (hasUrl == hasId) {
            throw new PolicyConfigException("set exactly one of 'base-url' and 'backend-id'");
        }
        if (hasId) {
            String id = element.literalAttribute("backend-id").orElseThrow();
            if (!context.hasBackend(id)) {
                throw new PolicyConfigException("backend '" + id + "' is not defined (backends/" + id
                        + "/backendInformation.json)");
            }
            // Resolved per call, not here: a pool chooses a member for each request, and credentials go with it.
            return new SetBackendEntity(id);
        }
        Value url = element.attribute("base-url").orElseThrow();
        if (!url.isExpression()) {
            checkUrl(url.source());
            return new SetBackend(null, URI.create(url.source().trim()));
        }
        return new SetBackend(url, null);
    }

    private static void checkUrl(String text) throws PolicyConfigException {
        try {
            URI uri = URI.create(text.trim());
            if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null) {
                throw new PolicyConfigException("'base-url' must be an absolute http or https URL, was '" + text + "'");
            }
        } catch (IllegalArgumentException e) {
            throw new PolicyConfigException("'base-url' is not a valid URL: " + e.getMessage());
        }
    }

    private record SetBackendEntity(String backendId) implements Policy {
        @Override
        public Flow apply(PolicyContext context) throws PolicyException {
            context.setBackend(backendId);
            return Flow.CONTINUE;
        }

        @Override
        public String toString() {
            return "set-backend-service[backend-id=" + backendId + "]";
        }
    }

    private record SetBackend(Value expression, URI fixed) implements Policy {
        @Override
        public Flow apply(PolicyContext context) throws PolicyException {
            if (fixed != null) {
                context.setBackendUrl(fixed);
                return Flow.CONTINUE;
            }
            String text = expression.evaluateString(context);
            try {
                context.setBackendUrl(URI.create(text.trim()));
            } catch (IllegalArgumentException e) {
                throw PolicyException.internal("ExpressionValueEvaluationFailure", "set-backend-service base-url '" + text
                        + "' is not a valid URL");
            }
            return Flow.CONTINUE;
        }

        @Override
        public String toString() {
            return "set-backend-service[" + (fixed != null ? fixed : expression.source()) + "]";
        }
    }
}

package io.gatehouse.policies.builtin;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Semaphore;

import io.gatehouse.policy.spi.CompileContext;
import io.gatehouse.policy.spi.Flow;
import io.gatehouse.policy.spi.OutboundRequest;
import io.gatehouse.policy.spi.Policy;
import io.gatehouse.policy.spi.PolicyConfigException;
import io.gatehouse.policy.spi.PolicyContext;
import io.gatehouse.policy.spi.PolicyElement;
import io.gatehouse.policy.spi.PolicyException;
import io.gatehouse.policy.spi.Response;
import io.gatehouse.policy.spi.TraceSeverity;
import io.gatehouse.policy.spi.Value;

/**
 * {@code send-request} and {@code send-one-way-request}, as APIM: a request of the policy's own, built from
 * {@code set-url}, {@code set-method}, {@code set-header} and {@code set-body} children, either from scratch
 * ({@code mode="new"}, the default) or from a copy of the current request ({@code mode="copy"}).
 *
 * <p>{@code send-request} waits for the answer and stores it, an {@code IResponse}, in
 * {@code response-variable-name}, whatever its status. When no answer comes within {@code timeout} (seconds, default
 * 60, at most 240) or the other side cannot be reached, the exchange goes to {@code on-error} with reason
 * {@code SendRequestFailure}; with {@code ignore-error="true"} the variable is set to null instead.
 * {@code send-one-way-request} sends and goes on at once; at most {@value #MAX_ONE_WAY_IN_FLIGHT} such requests are in
 * flight per gateway, and one more is dropped with a warning rather than piling up behind a slow receiver.
 */
public final class SendRequestProvider extends BuiltinProvider {

    static final int MAX_ONE_WAY_IN_FLIGHT = 1000;

    private static final System.Logger LOG = System.getLogger(SendRequestProvider.class.getName());
    private static final Semaphore ONE_WAY = new Semaphore(MAX_ONE_WAY_IN_FLIGHT);
    private static final long MAX_TIMEOUT_SECONDS = 240;

    /** Creates the provider (ServiceLoader). */
    public SendRequestProvider() {
        super(Set.of("send-request", "send-one-way-request"), ALL);
    }

    @Override
    public Policy compile(PolicyElement element, CompileContext context) throws PolicyConfigException {
        boolean oneWay = element.name().equals("send-one-way-request");
        element.allowAttributes(oneWay ? Set.of("mode", "timeout")
                : Set.of("mode", "response-variable-name", "timeout", "ignore-error"));
        String mode = element.literalAttribute("mode").orElse("new").trim().toLowerCase(Locale.ROOT);
        if (!mode.equals("new") && !mode.equals("copy")) {
            throw new PolicyConfigException("attribute 'mode' must be new or copy, was '" + mode + "'");
        }
        Duration timeout = Duration.ofSeconds(element.intAttribute("timeout", 60, 1, MAX_TIMEOUT_SECONDS));
        Optional<String> variable = Optional.empty();
        boolean ignoreError = false;
        if (!oneWay) {
            variable = Optional.of(element.literalAttribute("response-variable-name").map(String::trim)
                    .filter(v -> !v.isEmpty())
                    .orElseThrow(() -> new PolicyConfigException("attribute 'response-variable-name' is required")));
            ignoreError = element.booleanAttribute("ignore-error", false);
        }
        Optional<Value> url = Optional.empty();
        Optional<Value> method = Optional.empty();
        Optional<Value> body = Optional.empty();
        List<NameValuesPolicy> headers = new ArrayList<>();
        for (PolicyElement child : element.children()) {
            switch (child.name()) {
                case "set-url" -> url = Optional.of(once(url, child));
                case "set-method" -> method = Optional.of(once(method, child));
                case "set-body" -> {
                    child.allowAttributes(Set.of());
                    body = Optional.of(once(body, child));
                }
                case "set-header" -> headers.add(NameValuesPolicy.compile(child, context, false));
                case "authentication-certificate", "authentication-managed-identity", "proxy" ->
                        throw new PolicyConfigException("<" + child.name() + "> inside <" + element.name() + "> is not"
                                + " supported");
                default -> throw new PolicyConfigException("unexpected <" + child.name() + ">; allowed: set-url,"
                        + " set-method, set-header, set-body");
            }
        }
        if (url.isEmpty() && mode.equals("new")) {
            throw new PolicyConfigException("<set-url> is required with mode=\"new\"");
        }
        if (url.isPresent() && !url.get().isExpression()) {
            checkUrl(url.get().source().trim());
        }
        return new SendRequest(element.name(), mode.equals("copy"), url, method, List.copyOf(headers), body, timeout,
                               variable, ignoreError);
    }

    private static Value once(Optional<Value> before, PolicyElement child) throws PolicyConfigException {
        if (before.isPresent()) {
            throw new PolicyConfigException("<" + child.name() + "> is given twice");
        }
        child.allowAttributes(Set.of());
        return child.text().orElseThrow(() -> new PolicyConfigException("<" + child.name() + "> must not be empty"));
    }

    private static URI checkUrl(String text) throws PolicyConfigException {
        try {
            URI uri = new URI(text);
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if (!scheme.equals("http") && !scheme.equals("https") || uri.getHost() == null) {
                throw new PolicyConfigException("<set-url>: '" + text + "' is not an absolute http(s) URL");
            }
            return uri;
        } catch (URISyntaxException e) {
            throw new PolicyConfigException("<set-url>: '" + text + "' is not a URL: " + e.getReason());
        }
    }

    private record SendRequest(String element, boolean copy, Optional<Value> url, Optional<Value> method,
                               List<NameValuesPolicy> headers, Optional<Value> body, Duration timeout,
                               Optional<String> variable, boolean ignoreError) implements Policy {

        @Override
        public Flow apply(PolicyContext context) throws PolicyException {
            OutboundRequest request = build(context);
            if (variable.isEmpty()) {
                sendOneWay(context, request);
                return Flow.CONTINUE;
            }
            Response answer;
            try {
                answer = context.send(request);
            } catch (PolicyException e) {
                if (!ignoreError) {
                    throw e;
                }
                context.trace(element, TraceSeverity.VERBOSE, "ignored: " + e.getMessage());
                answer = null;
            }
            context.variables().set(variable.get(), answer);
            return Flow.CONTINUE;
        }

        private OutboundRequest build(PolicyContext context) throws PolicyException {
            OutboundHeaders h = new OutboundHeaders();
            String verb = "GET";
            byte[] content = new byte[0];
            String target = null;
            if (copy) {
                verb = context.request().method();
                context.request().headers().forEach(h::add);
                content = context.request().body().bytes(true);
                target = context.request().url().toString();
            }
            if (url.isPresent()) {
                target = url.get().evaluateString(context).trim();
            }
            if (method.isPresent()) {
                verb = method.get().evaluateString(context).trim().toUpperCase(Locale.ROOT);
            }
            for (NameValuesPolicy header : headers) {
                header.applyTo(h, context);
            }
            if (body.isPresent()) {
                content = body.get().evaluateString(context).getBytes(StandardCharsets.UTF_8);
            }
            URI uri;
            try {
                uri = checkUrl(target);
            } catch (PolicyConfigException e) {
                throw PolicyException.internal("SendRequestFailure", e.getMessage());
            }
            if (!verb.matches("[A-Z]+")) {
                throw PolicyException.internal("SendRequestFailure", "<set-method>: '" + verb + "' is not an HTTP method");
            }
            return new OutboundRequest(verb, uri, h.toMap(), content, timeout);
        }

        private void sendOneWay(PolicyContext context, OutboundRequest request) {
            if (!ONE_WAY.tryAcquire()) {
                LOG.log(System.Logger.Level.WARNING, "send-one-way-request: " + MAX_ONE_WAY_IN_FLIGHT
                        + " requests already in flight; dropped one to " + request.url().getHost());
                return;
            }
            Thread.ofVirtual().name("send-one-way-request").start(() -> {
                try {
                    context.send(request);
                } catch (PolicyException e) {
                    LOG.log(System.Logger.Level.WARNING, "send-one-way-request: " + e.getMessage());
                } finally {
                    ONE_WAY.release();
                }
            });
        }

        @Override
        public String toString() {
            return element + "[mode=" + (copy ? "copy" : "new") + ", url=" + url.map(Value::source).orElse("(copied)")
                    + ", timeout=" + timeout.toSeconds() + "s" + variable.map(v -> ", response-variable-name=" + v)
                    .orElse("") + "]";
        }
    }
}

package io.gatehouse.policies.builtin;

import java.time.Duration;
import java.util.Set;

import io.gatehouse.policy.spi.CompileContext;
import io.gatehouse.policy.spi.Flow;
import io.gatehouse.policy.spi.ForwardOptions;
import io.gatehouse.policy.spi.Policy;
import io.gatehouse.policy.spi.PolicyConfigException;
import io.gatehouse.policy.spi.PolicyContext;
import io.gatehouse.policy.spi.PolicyElement;
import io.gatehouse.policy.spi.PolicyException;
import io.gatehouse.policy.spi.PolicyProvider;
import io.gatehouse.policy.spi.Section;
import io.gatehouse.policy.spi.SpiVersion;

/**
 * {@code <forward-request timeout="seconds" follow-redirects="false" buffer-request-body="false"
 * fail-on-error-status-code="false" http-version="1"/>}: calls the backend. As APIM, the timeout defaults to
 * 300 seconds; redirects are passed to the caller unless {@code follow-redirects} is true; with
 * {@code fail-on-error-status-code} a 4xx/5xx answer from the backend sends the exchange to {@code on-error}.
 */
public final class ForwardRequestProvider implements PolicyProvider {

    /** Creates the provider (ServiceLoader). */
    public ForwardRequestProvider() {
    }

    @Override
    public int spiVersion() {
        return SpiVersion.MAJOR;
    }

    @Override
    public Set<String> elementNames() {
        return Set.of("forward-request");
    }

    @Override
    public Set<Section> sections() {
        return Set.of(Section.BACKEND);
    }

    @Override
    public Policy compile(PolicyElement element, CompileContext context) throws PolicyConfigException {
        element.allowAttributes(Set.of("timeout", "timeout-ms", "follow-redirects", "buffer-request-body",
                                       "fail-on-error-status-code", "http-version", "buffer-response"));
        if (element.attribute("timeout").isPresent() && element.attribute("timeout-ms").isPresent()) {
            throw new PolicyConfigException("set either 'timeout' or 'timeout-ms', not both");
        }
        Duration timeout = element.attribute("timeout-ms").isPresent()
                ? Duration.ofMillis(element.intAttribute("timeout-ms", 300_000, 1, 3_600_000))
                : Duration.ofSeconds(element.intAttribute("timeout", 300, 1, 3_600));
        ForwardOptions options = new ForwardOptions(timeout,
                                                    element.booleanAttribute("follow-redirects", false),
                                                    element.booleanAttribute("buffer-request-body", false));
        boolean failOnErrorStatus = element.booleanAttribute("fail-on-error-status-code", false);
        return new ForwardRequest(options, failOnErrorStatus);
    }

    /** The compiled policy. */
    private record ForwardRequest(ForwardOptions options, boolean failOnErrorStatus) implements Policy {

        @Override
        public Flow apply(PolicyContext context) throws PolicyException {
            context.forward(options);
            int status = context.response().statusCode();
            if (failOnErrorStatus && status >= 400) {
                throw PolicyException.internal("BackendErrorStatusCode", "the backend answered " + status
                        + " and forward-request has fail-on-error-status-code=\"true\"");
            }
            return Flow.CONTINUE;
        }

        @Override
        public String toString() {
            return "forward-request[timeout=" + options.timeout() + ", follow-redirects=" + options.followRedirects()
                    + ", buffer-request-body=" + options.bufferRequest() + ", fail-on-error-status-code="
                    + failOnErrorStatus + "]";
        }
    }
}

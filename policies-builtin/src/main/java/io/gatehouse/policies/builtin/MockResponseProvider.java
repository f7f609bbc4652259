package io.gatehouse.policies.builtin;

import java.util.Optional;
import java.util.Set;

import io.gatehouse.policy.spi.CompileContext;
import io.gatehouse.policy.spi.Flow;
import io.gatehouse.policy.spi.OperationInfo;
import io.gatehouse.policy.spi.Policy;
import io.gatehouse.policy.spi.PolicyConfigException;
import io.gatehouse.policy.spi.PolicyContext;
import io.gatehouse.policy.spi.PolicyElement;
import io.gatehouse.policy.spi.PolicyException;
import io.gatehouse.policy.spi.Section;

/**
 * {@code <mock-response status-code="200" content-type="application/json"/>}: answers without calling the backend, with
 * the operation's OpenAPI example for that status and content type when there is one, as APIM.
 */
public final class MockResponseProvider extends BuiltinProvider {

    /** Creates the provider (ServiceLoader). */
    public MockResponseProvider() {
        super("mock-response", Set.of(Section.INBOUND, Section.OUTBOUND,
                                      Section.ON_ERROR));
    }

    @Override
    public Policy compile(PolicyElement element, CompileContext context) throws PolicyConfigException {
        element.allowAttributes(Set.of("status-code", "content-type"));
        int status = (int) element.intAttribute("status-code", 200, 100, 599);
        return new MockResponse(status, element.literalAttribute("content-type"));
    }

    private record MockResponse(int status, Optional<String> contentType) implements Policy {
        @Override
        public Flow apply(PolicyContext context) throws PolicyException {
            var response = context.response();
            Responses.startNew(response, status, "");
            Optional<OperationInfo.ResponseExample> example = context.operation().example(status, contentType);
            if (example.isPresent() && !example.get().contentType().isEmpty()) {
                response.headers().set("Content-Type", example.get().contentType());
                response.body().set(example.get().body());
            } else {
                contentType.ifPresent(t -> response.headers().set("Content-Type", t));
            }
            return Flow.RETURN;
        }

        @Override
        public String toString() {
            return "mock-response[status-code=" + status + contentType.map(t -> ", content-type=" + t).orElse("") + "]";
        }
    }
}

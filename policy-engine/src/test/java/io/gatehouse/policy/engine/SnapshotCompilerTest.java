package io.gatehouse.policy.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.time.Clock;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.junit.jupiter.api.Test;

import io.gatehouse.config.Api;
import io.gatehouse.config.ConfigException;
import io.gatehouse.config.ConfigProblem;
import io.gatehouse.config.NamedValue;
import io.gatehouse.config.Operation;
import io.gatehouse.config.PolicyDocument;
import io.gatehouse.config.PolicyFragment;
import io.gatehouse.config.Product;
import io.gatehouse.config.Snapshot;
import io.gatehouse.config.SubscriptionKeyNames;
import io.gatehouse.policy.spi.ApiInfo;
import io.gatehouse.policy.spi.CompileContext;
import io.gatehouse.policy.spi.Flow;
import io.gatehouse.policy.spi.ForwardOptions;
import io.gatehouse.policy.spi.OperationInfo;
import io.gatehouse.policy.spi.Policy;
import io.gatehouse.policy.spi.PolicyConfigException;
import io.gatehouse.policy.spi.PolicyElement;
import io.gatehouse.policy.spi.PolicyException;
import io.gatehouse.policy.spi.PolicyProvider;
import io.gatehouse.policy.spi.Section;
import io.gatehouse.policy.spi.SpiVersion;

/**
 * Scopes, {@code <base/>}, product context, fragments, named values, on-error and the document checks, run through
 * compiled pipelines with small test policies: {@code <mark value="x"/>} appends x to the X-Trace response header,
 * {@code <fail/>} throws a client error, {@code <forward-request/>} calls the (recording) forwarder.
 */
class SnapshotCompilerTest {

    private static final PolicyRegistry REGISTRY = PolicyRegistry.of(new Mark(), new Fail(), new Forward());

    private static PolicyDocument doc(String path, String inbound) {
        return new PolicyDocument(path, "<policies>\n<inbound>" + inbound + "</inbound>\n<backend><base/></backend>\n"
                + "<outbound><base/></outbound>\n<on-error><base/></on-error>\n</policies>");
    }

    private static Snapshot snapshot(Optional<PolicyDocument> global, Optional<PolicyDocument> product,
                                     Optional<PolicyDocument> api, Optional<PolicyDocument> op,
                                     List<PolicyFragment> fragments, List<NamedValue> namedValues) {
        Operation operation = new Operation("op", "op", "GET", "/x", List.of(), List.of(), List.of(), op);
        Api a = new Api("api", "api", "api", Optional.of(URI.create("http://127.0.0.1:1")), Set.of("http"), false,
                        SubscriptionKeyNames.DEFAULT, "", "1", List.of(operation), api);
        Product p = new Product("prod", "prod", "published", true, List.of("api"), product);
        return Snapshot.create(global, List.of(a), List.of(p), List.of(), namedValues, List.of(), fragments, List.of());
    }

    private static String run(Snapshot snapshot, Optional<String> product) throws ConfigException {
        CompiledPolicies policies = new SnapshotCompiler(REGISTRY, CompilerOptions.DEFAULT).compile(snapshot, w -> { });
        try (Exchange exchange = exchange()) {
            policies.pipeline("api", "op", product).execute(exchange);
            return exchange.response().statusCode() + " " + exchange.response().headers().valueOrDefault("X-Trace", "")
                    + exchange.lastError().map(e -> " lastError=" + e.source() + "/" + e.reason()).orElse("");
        }
    }

    private static Exchange exchange() {
        return Exchange.builder()
                .api(new ApiInfo("api", "api", "api", "", "1"))
                .operation(new OperationInfo("op", "op", "GET", "/x", List.of()))
                .services(new GatewayServices(new LocalCounterStore(Clock.systemUTC()), Clock.systemUTC()))
                .forwarder((ex, target, options) -> {
                    ex.response().setStatus(200, "OK");
                    ex.response().headers().add("X-Trace", "backend");
                })
                .backendUrl(URI.create("http://127.0.0.1:1"))
                .build();
    }

    /** Each scope inlines its parent at {@code <base/>}: global, then API, then operation. */
    @Test
    void baseInlinesParentScopes() throws ConfigException {
        Snapshot s = snapshot(Optional.of(doc("policy.xml", "<mark value=\"g\"/>")), Optional.empty(),
                              Optional.of(doc("apis/api/policy.xml", "<base/><mark value=\"a\"/>")),
                              Optional.of(doc("op.xml", "<mark value=\"o1\"/><base/><mark value=\"o2\"/>")),
                              List.of(), List.of());
        assertEquals("200 o1,g,a,o2,backend", run(s, Optional.empty()));
    }

    /** A section without {@code <base/>} does not inherit (the APIOps samples rely on this). */
    @Test
    void noBaseNoInheritance() throws ConfigException {
        Snapshot s = snapshot(Optional.of(doc("policy.xml", "<mark value=\"g\"/>")), Optional.empty(),
                              Optional.of(doc("apis/api/policy.xml", "<mark value=\"a\"/>")), Optional.empty(),
                              List.of(), List.of());
        assertEquals("200 a,backend", run(s, Optional.empty()));
    }

    /** The product scope applies only to requests in that product's context. */
    @Test
    void productScopeOnlyInProductContext() throws ConfigException {
        Snapshot s = snapshot(Optional.of(doc("policy.xml", "<mark value=\"g\"/>")),
                              Optional.of(doc("products/prod/policy.xml", "<base/><mark value=\"p\"/>")),
                              Optional.of(doc("apis/api/policy.xml", "<base/><mark value=\"a\"/>")), Optional.empty(),
                              List.of(), List.of());
        assertEquals("200 g,p,a,backend", run(s, Optional.of("prod")));
        assertEquals("200 g,a,backend", run(s, Optional.empty()));
    }

    /** A document whose backend section has no forward-request makes no backend call. */
    @Test
    void emptyBackendSectionMeansNoBackendCall() throws ConfigException {
        Snapshot s = snapshot(Optional.of(new PolicyDocument("policy.xml",
                                                             "<policies><inbound><mark value=\"g\"/></inbound><backend/>"
                                                                     + "<outbound/><on-error/></policies>")),
                              Optional.empty(), Optional.empty(), Optional.empty(), List.of(), List.of());
        assertEquals("200 g", run(s, Optional.empty()));
    }

    /** Fragments are inlined; named values are substituted before parsing. */
    @Test
    void fragmentsAndNamedValues() throws ConfigException {
        PolicyFragment f = new PolicyFragment("frag", "", new PolicyDocument("policy fragments/frag/policy.xml",
                                                                             "<fragment><mark value=\"{{env}}\"/></fragment>"));
        Snapshot s = snapshot(Optional.of(doc("policy.xml", "<include-fragment fragment-id=\"frag\"/><mark value=\"g\"/>")),
                              Optional.empty(), Optional.empty(), Optional.empty(), List.of(f),
                              List.of(new NamedValue("env-id", "env", "prod", false)));
        assertEquals("200 prod,g,backend", run(s, Optional.empty()));
    }

    /** A failure runs on-error with LastError set and APIM's error response in place. */
    @Test
    void failureRunsOnErrorWithLastError() throws ConfigException {
        Snapshot s = snapshot(Optional.of(new PolicyDocument("policy.xml", "<policies><inbound><fail/><mark value=\"no\"/>"
                + "</inbound><backend><forward-request/></backend><outbound/><on-error><mark value=\"handled\"/>"
                + "</on-error></policies>")), Optional.empty(), Optional.empty(), Optional.empty(), List.of(), List.of());
        assertEquals("418 handled lastError=fail/TestFailure", run(s, Optional.empty()));
    }

    /** Every document problem is reported with file, line and element, all at once. */
    @Test
    void problemsReportedWithFileLineAndElement() {
        PolicyFragment cyclic = new PolicyFragment("loop", "", new PolicyDocument(
                "policy fragments/loop/policy.xml", "<fragment><include-fragment fragment-id=\"loop\"/></fragment>"));
        Snapshot s = snapshot(Optional.of(doc("policy.xml", "\n<no-such-policy/>\n<mark value=\"{{missing}}\"/>")),
                              Optional.empty(),
                              Optional.of(new PolicyDocument("apis/api/policy.xml", "<policies><inbound><base/>"
                                      + "<include-fragment fragment-id=\"loop\"/></inbound><backend><mark value=\"x\"/>"
                                      + "<fail/></backend></policies>")),
                              Optional.empty(), List.of(cyclic), List.of());
        ConfigException e = assertThrows(ConfigException.class,
                                         () -> new SnapshotCompiler(REGISTRY, CompilerOptions.DEFAULT).compile(s, w -> { }));
        String all = e.getMessage();
        assertTrue(all.contains("policy.xml:4: named value 'missing' is not defined"), all);
        assertTrue(e.problems().stream().anyMatch(p -> p.toString().contains("includes itself")), all);
        assertTrue(e.problems().stream().anyMatch(p -> p.file().equals("apis/api/policy.xml") && p.element().equals("fail")
                && p.message().contains("not allowed in <backend>")), all);
    }

    /** An unknown element refuses the snapshot naming it; with policy.unknown-elements=skip it is skipped with a warning. */
    @Test
    void unknownElementRefusedOrSkipped() throws ConfigException {
        Snapshot s = snapshot(Optional.of(doc("policy.xml", "\n<no-such-policy/><mark value=\"g\"/>")), Optional.empty(),
                              Optional.empty(), Optional.empty(), List.of(), List.of());
        ConfigException e = assertThrows(ConfigException.class,
                                         () -> new SnapshotCompiler(REGISTRY, CompilerOptions.DEFAULT).compile(s, w -> { }));
        assertEquals("policy.xml:3:18: <no-such-policy>: unknown policy element <no-such-policy> (set"
                             + " policy.unknown-elements=skip to skip unknown elements with a warning, as APIM does)",
                     e.problems().getFirst().toString());
        List<ConfigProblem> warnings = new ArrayList<>();
        new SnapshotCompiler(REGISTRY, new CompilerOptions(CompilerOptions.UnknownElements.SKIP, Map.of()))
                .compile(s, warnings::add);
        assertEquals(1, warnings.size());
        assertTrue(warnings.getFirst().toString().contains("<no-such-policy> skipped"), warnings.toString());
    }

    /** A DOCTYPE (the door to XXE and entity expansion) is refused. */
    @Test
    void doctypeRefused() {
        Snapshot s = snapshot(Optional.of(new PolicyDocument("policy.xml", "<?xml version=\"1.0\"?>\n<!DOCTYPE policies ["
                + "<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]>\n<policies><inbound><mark value=\"&xxe;\"/></inbound>"
                + "</policies>")), Optional.empty(), Optional.empty(), Optional.empty(), List.of(), List.of());
        ConfigException e = assertThrows(ConfigException.class,
                                         () -> new SnapshotCompiler(REGISTRY, CompilerOptions.DEFAULT).compile(s, w -> { }));
        assertTrue(e.getMessage().contains("policy.xml") && e.getMessage().contains("DOCTYPE"), e.getMessage());
        assertTrue(!e.getMessage().contains("root:"), "no file content leaks: " + e.getMessage());
    }

    private abstract static class TestProvider implements PolicyProvider {
        @Override
        public int spiVersion() {
            return SpiVersion.MAJOR;
        }

        @Override
        public Set<Section> sections() {
            return EnumSet.allOf(Section.class);
        }
    }

    private static final class Mark extends TestProvider {
        @Override
        public Set<String> elementNames() {
            return Set.of("mark");
        }

        @Override
        public Policy compile(PolicyElement element, CompileContext context) throws PolicyConfigException {
            String value = element.literalAttribute("value").orElse("");
            return ctx -> {
                ctx.response().headers().add("X-Trace", value);
                return Flow.CONTINUE;
            };
        }
    }

    private static final class Fail extends TestProvider {
        @Override
        public Set<String> elementNames() {
            return Set.of("fail");
        }

        @Override
        public Set<Section> sections() {
            return EnumSet.of(Section.INBOUND);
        }

        @Override
        public Policy compile(PolicyElement element, CompileContext context) {
            return ctx -> {
                throw PolicyException.clientError("TestFailure", "failed on purpose", 418);
            };
        }
    }

    private static final class Forward extends TestProvider {
        @Override
        public Set<String> elementNames() {
            return Set.of("forward-request");
        }

        @Override
        public Policy compile(PolicyElement element, CompileContext context) {
            return ctx -> {
                ctx.forward(ForwardOptions.DEFAULT);
                return Flow.CONTINUE;
            };
        }
    }
}

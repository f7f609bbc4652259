package io.gatehouse.gateway;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import io.gatehouse.bench.BenchArtifacts;
import io.gatehouse.bench.WorkDir;
import io.gatehouse.config.Api;
import io.gatehouse.config.Subscription;
import io.gatehouse.policy.engine.Exchange;
import io.gatehouse.policy.engine.GatewayServices;
import io.gatehouse.policy.engine.MessageBody;
import io.gatehouse.policy.engine.MessageHeaders;
import io.gatehouse.policy.engine.Pipeline;
import io.gatehouse.policy.engine.QueryValues;
import io.gatehouse.policy.expressions.Expressions;
import io.gatehouse.policy.spi.Deployment;
import io.gatehouse.policy.spi.Location;
import io.gatehouse.policy.spi.Value;

/**
 * The gateway's hot path, piece by piece ({@code ./gatehouse bench jmh}): route matching and subscription lookup
 * with 1 and 10,000 APIs, one policy expression, and the realistic policy chain run on an exchange (answered by
 * return-response, so no network is measured).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class HotPathBenchmarks {

    /** How many APIs (and ten times as many subscriptions) the snapshot holds. */
    @Param({"1", "10000"})
    public int apis;

    private CompiledSnapshot snapshot;
    private Api api;
    private String path;
    private Optional<String> key;
    private Value expression;
    private Exchange expressionExchange;
    private Pipeline chain;
    private Subscription subscription;

    /**
     * Builds the snapshot from a generated folder.
     *
     * @throws Exception if it cannot be built
     */
    @Setup
    public void setUp() throws Exception {
        Gateway.fixMapperManager();
        Path dir = Files.createTempDirectory("gatehouse-jmh");
        BenchArtifacts.write(dir, 9, apis, apis * 10, true);
        // The chain answers in the backend section instead of forwarding: only the policies are measured.
        Files.writeString(dir.resolve("policy.xml"), """
                <policies>
                    <inbound>
                        <rate-limit-by-key calls="1000000000" renewal-period="60" counter-key="@(context.Subscription.Id)" />
                        <set-header name="X-Bench" exists-action="override"><value>bench</value></set-header>
                        <rewrite-uri template="/fixed" />
                    </inbound>
                    <backend><return-response><set-status code="200" /></return-response></backend>
                    <outbound />
                    <on-error />
                </policies>
                """);
        Settings settings = Settings.load(Map.of(), Optional.empty(), Optional.empty(), Map.of());
        snapshot = LocalFolderSource.load(dir, Optional.empty(), GatewayMain.compiler(settings), w -> { });
        WorkDir.clean(dir, false);
        int target = apis / 2;
        api = snapshot.snapshot().api("api-" + target).orElseThrow();
        path = "/api-" + target + "/fixed";
        key = Optional.of(BenchArtifacts.key(target));
        subscription = snapshot.snapshot().subscriptions().stream().filter(s -> s.id().equals("sub-" + target)).findFirst()
                .orElseThrow();
        expression = Expressions.compile("@(context.Request.Headers.GetValueOrDefault(\"X-Tier\", \"\") == \"gold\")",
                                         new Location("bench", 1, 1));
        expressionExchange = exchange();
        chain = snapshot.policies().pipeline(api.id(), api.operations().get(0).id(), Optional.empty());
    }

    private Exchange exchange() {
        MessageHeaders headers = new MessageHeaders();
        headers.add("Host", "127.0.0.1");
        headers.add("X-Tier", "gold");
        return Exchange.builder()
                .method("GET")
                .url("http", "127.0.0.1", 8080, path, "")
                .pathWithinApi("/fixed")
                .clientIp("127.0.0.1")
                .matchedParameters(Map.of())
                .headers(headers)
                .query(new QueryValues(""))
                .body(MessageBody.empty(1024))
                .maxBufferedBody(1024)
                .api(Gateway.apiInfo(api))
                .operation(Gateway.operationInfo(api.operations().get(0)))
                .subscription(Gateway.subscriptionInfo(subscription), key.orElseThrow())
                .deployment(new Deployment("bench", "1", "local"))
                .services(GatewayServices.local())
                .forwarder((exchange, target, options) -> {
                    throw new IllegalStateException("the benchmark chain answers before the backend");
                })
                .build();
    }

    /** @return the route of a request to the API in the middle */
    @Benchmark
    public Object routeMatch() {
        return snapshot.routes().match("GET", path);
    }

    /** @return whether the key opens the API */
    @Benchmark
    public Object subscriptionLookup() {
        return snapshot.subscriptions().authorize(api, key);
    }

    /**
     * @return a choose-style condition on a request header
     * @throws Exception if evaluation fails
     */
    @Benchmark
    public Object expression() throws Exception {
        return expression.evaluate(expressionExchange);
    }

    /** @return the status the realistic chain answers with, on a fresh exchange */
    @Benchmark
    public int policyChain() {
        try (Exchange exchange = exchange()) {
            chain.execute(exchange);
            return exchange.response().statusCode();
        }
    }
}

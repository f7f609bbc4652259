package io.gatehouse.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * The APIOps folders the benchmarks serve: {@code apis} APIs {@code api-0 .. api-N} (one {@code GET /fixed} operation
 * each, to the fixed-response backend) and {@code subscriptions} subscriptions, subscription {@code i} scoped to
 * API {@code i % apis} with key {@link #key(int)}. With {@code policies}, the global policy is the realistic chain:
 * the subscription key (APIs require one), {@code rate-limit-by-key} high enough never to trigger, {@code set-header}
 * and {@code rewrite-uri}.
 */
public final class BenchArtifacts {

    private BenchArtifacts() {
    }

    /**
     * The key of subscription {@code i}.
     *
     * @param i the subscription number
     * @return its primary key
     */
    public static String key(int i) {
        return "bench-key-" + String.format("%08d", i) + "-0123456789abcdef";
    }

    /**
     * Writes a folder.
     *
     * @param root          where
     * @param backendPort   the backend's port
     * @param apis          how many APIs
     * @param subscriptions how many subscriptions
     * @param policies      whether the realistic chain applies (else no policy, no key)
     * @throws IOException if it cannot be written
     */
    public static void write(Path root, int backendPort, int apis, int subscriptions, boolean policies) throws IOException {
        String spec = "openapi: 3.0.1\ninfo:\n  title: bench\n  version: '1'\npaths:\n  /fixed:\n    get:\n"
                + "      operationId: get-fixed\n      responses:\n        '200':\n          description: ok\n";
        for (int i = 0; i < apis; i++) {
            Path api = Files.createDirectories(root.resolve("apis/api-" + i));
            Files.writeString(api.resolve("apiInformation.json"), """
                    {"properties": {"displayName": "api-%d", "path": "api-%d", "serviceUrl": "http://127.0.0.1:%d",
                     "protocols": ["http"], "subscriptionRequired": %s}}
                    """.formatted(i, i, backendPort, policies));
            Files.writeString(api.resolve("specification.yaml"), spec);
        }
        for (int i = 0; i < subscriptions; i++) {
            Path sub = Files.createDirectories(root.resolve("subscriptions/sub-" + i));
            Files.writeString(sub.resolve("subscriptionInformation.json"), """
                    {"properties": {"displayName": "sub-%d", "scope": "/apis/api-%d", "state": "active",
                     "primaryKey": "%s"}}
                    """.formatted(i, i % apis, key(i)));
        }
        if (policies) {
            writeGlobalPolicy(root, "bench");
        }
    }

    /**
     * Writes the global policy with the realistic chain; {@code marker} is the value of the header it sets (the
     * propagation benchmark changes it and waits to see the new value).
     *
     * @param root   the folder
     * @param marker the X-Bench header's value
     * @throws IOException if it cannot be written
     */
    public static void writeGlobalPolicy(Path root, String marker) throws IOException {
        Path temp = root.resolveSibling(root.getFileName() + ".policy.tmp");
        Files.writeString(temp, """
                <policies>
                    <inbound>
                        <rate-limit-by-key calls="1000000000" renewal-period="60"
                                           counter-key="@(context.Subscription.Id)" />
                        <set-header name="X-Bench" exists-action="override"><value>%s</value></set-header>
                        <rewrite-uri template="/fixed" />
                    </inbound>
                    <backend><forward-request /></backend>
                    <outbound><set-header name="X-Bench" exists-action="override"><value>%s</value></set-header></outbound>
                    <on-error />
                </policies>
                """.formatted(marker, marker));
        Files.move(temp, root.resolve("policy.xml"), StandardCopyOption.REPLACE_EXISTING,
                   StandardCopyOption.ATOMIC_MOVE);
    }
}

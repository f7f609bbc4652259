package io.gatehouse.gateway;

import java.util.List;
import java.util.function.Consumer;

import io.gatehouse.config.ConfigException;
import io.gatehouse.config.ConfigProblem;
import io.gatehouse.config.Snapshot;
import io.gatehouse.policy.engine.CompiledPolicies;
import io.gatehouse.policy.engine.SnapshotCompiler;

/**
 * A snapshot ready to serve: routes, subscription index and compiled pipelines. Built off the request path, swapped
 * in with one reference write; requests read it once and never lock.
 *
 * @param snapshot      the snapshot
 * @param routes        API and operation matching
 * @param subscriptions authorization
 * @param policies      pipelines
 */
record CompiledSnapshot(Snapshot snapshot, RouteTable routes, SubscriptionIndex subscriptions,
                        CompiledPolicies policies) {

    static CompiledSnapshot compile(Snapshot snapshot, SnapshotCompiler compiler, Consumer<ConfigProblem> warnings)
            throws ConfigException {
        CompiledPolicies policies = compiler.compile(snapshot, warnings);
        return new CompiledSnapshot(snapshot, RouteTable.of(snapshot.apis()), SubscriptionIndex.of(snapshot),
                                    policies);
    }

    String describe() {
        int operations = snapshot.apis().stream().mapToInt(a -> a.operations().size()).sum();
        List<String> apis = snapshot.apis().stream().map(a -> a.id() + " (/" + a.path() + ")").toList();
        return "revision " + snapshot.revision() + ": " + snapshot.apis().size() + " APIs " + apis + ", " + operations
                + " operations, " + snapshot.products().size() + " products, " + snapshot.subscriptions().size()
                + " subscriptions";
    }
}

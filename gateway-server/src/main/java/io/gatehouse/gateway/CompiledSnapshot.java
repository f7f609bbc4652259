package io.gatehouse.gateway;

import java.util.List;
import java.util.Optional;
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

    /** How many APIs a log line names. */
    private static final int DESCRIBED_APIS = 20;

    static CompiledSnapshot compile(Snapshot snapshot, SnapshotCompiler compiler, Consumer<ConfigProblem> warnings)
            throws ConfigException {
        return compile(snapshot, compiler, warnings, Optional.empty());
    }

    /**
     * Compiles a snapshot that replaces {@code previous}: its unchanged parts are the previous objects (see
     * {@link Snapshot#sharing}), and the route table and subscription index are the previous ones when what they are
     * built from did not change, so a reload holds only what changed twice.
     *
     * @param snapshot the new snapshot
     * @param compiler the policy compiler
     * @param warnings receives warnings
     * @param previous the snapshot being served, if any
     * @return the compiled snapshot
     * @throws ConfigException listing every problem
     */
    static CompiledSnapshot compile(Snapshot snapshot, SnapshotCompiler compiler, Consumer<ConfigProblem> warnings,
                                    Optional<CompiledSnapshot> previous) throws ConfigException {
        Snapshot shared = previous.map(p -> snapshot.sharing(p.snapshot())).orElse(snapshot);
        CompiledPolicies policies = compiler.compile(shared, warnings);
        RouteTable routes = previous.filter(p -> p.snapshot().apis() == shared.apis())
                .map(CompiledSnapshot::routes).orElseGet(() -> RouteTable.of(shared.apis()));
        SubscriptionIndex subscriptions = previous.filter(p -> p.snapshot().subscriptions() == shared.subscriptions()
                        && p.snapshot().products() == shared.products())
                .map(CompiledSnapshot::subscriptions).orElseGet(() -> SubscriptionIndex.of(shared));
        return new CompiledSnapshot(shared, routes, subscriptions, policies);
    }

    String describe() {
        int operations = snapshot.apis().stream().mapToInt(a -> a.operations().size()).sum();
        // the first APIs by name, not all of them: a folder with 10,000 APIs made one log line of 200 KB
        List<String> apis = snapshot.apis().stream().limit(DESCRIBED_APIS).map(a -> a.id() + " (/" + a.path() + ")")
                .toList();
        String more = snapshot.apis().size() > DESCRIBED_APIS
                ? " and " + (snapshot.apis().size() - DESCRIBED_APIS) + " more" : "";
        return "revision " + snapshot.revision() + ": " + snapshot.apis().size() + " APIs " + apis + more + ", "
                + operations + " operations, " + snapshot.products().size() + " products, "
                + snapshot.subscriptions().size() + " subscriptions";
    }
}

package io.gatehouse.config;

import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * One immutable configuration snapshot. Its {@link #revision()} is derived from its content, so two snapshots with
 * the same content have the same revision wherever they were read.
 *
 * @param revision      content-derived revision id
 * @param globalPolicy  the global (service) policy document, if any
 * @param apis          APIs
 * @param products      products
 * @param subscriptions subscriptions
 * @param namedValues   named values
 * @param backends      backend entities
 * @param fragments     policy fragments
 * @param gateways      self-hosted gateway resources and their API assignments
 */
public record Snapshot(String revision,
                       Optional<PolicyDocument> globalPolicy,
                       List<Api> apis,
                       List<Product> products,
                       List<Subscription> subscriptions,
                       List<NamedValue> namedValues,
                       List<Backend> backends,
                       List<PolicyFragment> fragments,
                       List<Gateway> gateways) {

    /**
     * Creates a snapshot; prefer {@link #create}, which computes the revision.
     *
     * @param revision      revision
     * @param globalPolicy  global policy
     * @param apis          APIs
     * @param products      products
     * @param subscriptions subscriptions
     * @param namedValues   named values
     * @param backends      backends
     * @param fragments     fragments
     * @param gateways      gateways
     */
    public Snapshot {
        Objects.requireNonNull(revision, "revision");
        Objects.requireNonNull(globalPolicy, "globalPolicy");
        apis = List.copyOf(apis);
        products = List.copyOf(products);
        subscriptions = List.copyOf(subscriptions);
        namedValues = List.copyOf(namedValues);
        backends = List.copyOf(backends);
        fragments = List.copyOf(fragments);
        gateways = List.copyOf(gateways);
    }

    /**
     * Creates a snapshot whose revision is derived from its content: the first 16 bytes, in hex, of the SHA-256 of
     * its canonical JSON form. Lists are sorted by id so that the same folder always gives the same revision.
     *
     * @return the snapshot
     */
    public static Snapshot create(Optional<PolicyDocument> globalPolicy,
                                  List<Api> apis,
                                  List<Product> products,
                                  List<Subscription> subscriptions,
                                  List<NamedValue> namedValues,
                                  List<Backend> backends,
                                  List<PolicyFragment> fragments,
                                  List<Gateway> gateways) {
        Snapshot draft = new Snapshot("",
                                      globalPolicy,
                                      sorted(apis, Api::id),
                                      sorted(products, Product::id),
                                      sorted(subscriptions, Subscription::id),
                                      sorted(namedValues, NamedValue::id),
                                      sorted(backends, Backend::id),
                                      sorted(fragments, PolicyFragment::id),
                                      sorted(gateways, Gateway::id));
        return draft.withRevision(SnapshotJson.revisionOf(draft));
    }

    /**
     * The part of this snapshot one gateway serves: only the APIs assigned to it under {@code gateways/<name>/apis/},
     * as APIM serves on a self-hosted gateway only the APIs associated with it.
     *
     * @param gatewayName the gateway's name, as its folder under {@code gateways/}
     * @return the filtered snapshot, with its own revision
     * @throws ConfigException if no gateway of that name is defined
     */
    public Snapshot forGateway(String gatewayName) throws ConfigException {
        Gateway gateway = gateways.stream()
                .filter(g -> g.id().equals(gatewayName))
                .findFirst()
                .orElseThrow(() -> new ConfigException(ConfigProblem.of(
                        "gateways/" + gatewayName,
                        "gateway '" + gatewayName + "' is configured (gateway.name) but not defined; defined gateways: "
                                + gateways.stream().map(Gateway::id).toList())));
        Set<String> assigned = Set.copyOf(gateway.apiIds());
        List<Api> served = apis.stream().filter(a -> assigned.contains(a.id())).toList();
        List<Product> trimmed = products.stream()
                .map(p -> new Product(p.id(), p.displayName(), p.state(), p.subscriptionRequired(),
                                      p.apiIds().stream().filter(assigned::contains).toList(), p.policy()))
                .toList();
        return create(globalPolicy, served, trimmed, subscriptions, namedValues, backends, fragments, List.of(gateway));
    }

    /**
     * Looks up an API by id.
     *
     * @param apiId the API's id
     * @return the API, if this snapshot has it
     */
    public Optional<Api> api(String apiId) {
        return apis.stream().filter(a -> a.id().equals(apiId)).findFirst();
    }

    Snapshot withRevision(String newRevision) {
        return new Snapshot(newRevision, globalPolicy, apis, products, subscriptions, namedValues, backends, fragments,
                            gateways);
    }

    private static <T> List<T> sorted(List<T> items, Function<T, String> id) {
        return items.stream().sorted(Comparator.comparing(id)).toList();
    }
}

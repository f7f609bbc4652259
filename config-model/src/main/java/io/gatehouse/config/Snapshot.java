package io.gatehouse.config;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

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

    /** A named value reference in policy text, as the policy engine substitutes it. */
    private static final Pattern NAMED_VALUE = Pattern.compile("\\{\\{([^{}]+)}}");

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
     * The same snapshot, made of the previous snapshot's objects wherever they are equal: each API, product,
     * subscription and so on that did not change is the previous instance, and a list with no change is the previous
     * list. A gateway holds the serving snapshot while it builds the next one, so without this every reload briefly
     * holds two full copies (with 10,000 APIs and 100,000 subscriptions, more than a 256 MiB heap has room for); with
     * it, only what changed is new. Equal objects are interchangeable (they are immutable records), so the result is
     * equal to this snapshot.
     *
     * @param previous the snapshot being served
     * @return this snapshot, sharing the previous one's unchanged parts
     */
    public Snapshot sharing(Snapshot previous) {
        return new Snapshot(revision,
                            globalPolicy.equals(previous.globalPolicy) ? previous.globalPolicy : globalPolicy,
                            share(apis, previous.apis, Api::id),
                            share(products, previous.products, Product::id),
                            share(subscriptions, previous.subscriptions, Subscription::id),
                            share(namedValues, previous.namedValues, NamedValue::id),
                            share(backends, previous.backends, Backend::id),
                            share(fragments, previous.fragments, PolicyFragment::id),
                            share(gateways, previous.gateways, Gateway::id));
    }

    private static <T> List<T> share(List<T> next, List<T> previous, Function<T, String> id) {
        if (next.equals(previous)) {
            return previous;
        }
        Map<String, T> before = new HashMap<>(previous.size() * 2);
        for (T item : previous) {
            before.put(id.apply(item), item);
        }
        List<T> shared = new ArrayList<>(next.size());
        for (T item : next) {
            T old = before.get(id.apply(item));
            shared.add(item.equals(old) ? old : item);
        }
        return shared;
    }

    /**
     * The part of this snapshot one gateway serves: only the APIs assigned to it under {@code gateways/<name>/apis/},
     * as APIM serves on a self-hosted gateway only the APIs associated with it. See {@link #servedTo} for what else
     * is cut.
     *
     * @param gatewayName the gateway's name, as its folder under {@code gateways/}
     * @return the filtered snapshot, with its own revision
     * @throws ConfigException if no gateway of that name is defined (a local folder names its gateway on purpose)
     */
    public Snapshot forGateway(String gatewayName) throws ConfigException {
        Gateway gateway = gateway(gatewayName)
                .orElseThrow(() -> new ConfigException(ConfigProblem.of(
                        "gateways/" + gatewayName,
                        "gateway '" + gatewayName + "' is configured (gateway.name) but not defined; defined gateways: "
                                + gateways.stream().map(Gateway::id).toList())));
        return cut(Set.copyOf(gateway.apiIds()), List.of(gateway));
    }

    /**
     * What the management plane sends one gateway: the APIs assigned to it under {@code gateways/<id>/apis/}, or
     * every API when the folder does not define that gateway; the products that contain a served API (listing only
     * those); the subscriptions that can open one of them; the named values their policies use; and the global
     * policy, fragments and backends. Keys and secrets a gateway cannot use are never sent to it.
     *
     * @param gatewayId the gateway id
     * @return the gateway's snapshot, with its own revision
     */
    public Snapshot servedTo(String gatewayId) {
        return gateway(gatewayId)
                .map(g -> cut(Set.copyOf(g.apiIds()), List.of(g)))
                .orElseGet(() -> cut(apis.stream().map(Api::id).collect(Collectors.toSet()), List.of()));
    }

    private Optional<Gateway> gateway(String id) {
        return gateways.stream().filter(g -> g.id().equals(id)).findFirst();
    }

    private Snapshot cut(Set<String> assigned, List<Gateway> keptGateways) {
        List<Api> served = apis.stream().filter(a -> assigned.contains(a.id())).toList();
        List<Product> kept = products.stream()
                .filter(p -> p.apiIds().stream().anyMatch(assigned::contains))
                .map(p -> new Product(p.id(), p.displayName(), p.state(), p.subscriptionRequired(),
                                      p.apiIds().stream().filter(assigned::contains).toList(), p.policy()))
                .toList();
        Set<String> keptProducts = kept.stream().map(Product::id).collect(Collectors.toSet());
        List<Subscription> usable = subscriptions.stream()
                .filter(s -> s.scope().equals("/apis")
                        || s.scope().startsWith("/apis/") && assigned.contains(s.scope().substring("/apis/".length()))
                        || s.scope().startsWith("/products/")
                                && keptProducts.contains(s.scope().substring("/products/".length())))
                .toList();
        // A named value is used where a served policy (or any fragment, which any of them may include) names it.
        Set<String> used = new HashSet<>();
        Consumer<Optional<PolicyDocument>> scan = document -> document.ifPresent(d -> {
            Matcher m = NAMED_VALUE.matcher(d.xml());
            while (m.find()) {
                used.add(m.group(1).trim());
            }
        });
        scan.accept(globalPolicy);
        kept.forEach(p -> scan.accept(p.policy()));
        for (Api api : served) {
            scan.accept(api.policy());
            api.operations().forEach(o -> scan.accept(o.policy()));
        }
        fragments.forEach(f -> scan.accept(Optional.of(f.document())));
        // Backend credentials may name them too ({{function-key}}), and every backend is served.
        for (Backend b : backends) {
            Stream.concat(b.credentials().header().values().stream(), b.credentials().query().values().stream())
                    .flatMap(List::stream)
                    .forEach(v -> {
                        Matcher m = NAMED_VALUE.matcher(v);
                        while (m.find()) {
                            used.add(m.group(1).trim());
                        }
                    });
        }
        List<NamedValue> usedValues = namedValues.stream()
                .filter(v -> used.contains(v.displayName()) || used.contains(v.id()))
                .toList();
        return create(globalPolicy, served, kept, usable, usedValues, backends, fragments, keptGateways);
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

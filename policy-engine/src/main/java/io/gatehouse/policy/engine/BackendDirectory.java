package io.gatehouse.policy.engine;

import java.net.URI;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.random.RandomGenerator;

import io.gatehouse.config.Backend;

/**
 * The backend entities of one snapshot, by id, with each pool's members resolved and grouped by priority once at
 * load, so that choosing a member per request only walks a short list. Immutable.
 */
public final class BackendDirectory {

    /** A directory without backends. */
    public static final BackendDirectory EMPTY = new BackendDirectory(List.of());

    private final Map<String, Backend> singles = new HashMap<>();
    private final Map<String, List<Group>> pools = new HashMap<>();
    private final Map<String, Backend> all = new HashMap<>();

    /**
     * Builds the directory.
     *
     * @param backends the snapshot's backends; pool members must be single backends among them (the reader checks)
     */
    public BackendDirectory(List<Backend> backends) {
        for (Backend b : backends) {
            all.put(b.id(), b);
            if (b.type() == Backend.Type.SINGLE) {
                singles.put(b.id(), b);
            }
        }
        for (Backend b : backends) {
            if (b.type() != Backend.Type.POOL) {
                continue;
            }
            Map<Integer, List<Backend.PoolMember>> byPriority = new HashMap<>();
            for (Backend.PoolMember m : b.pool()) {
                if (!singles.containsKey(m.backendId())) {
                    throw new IllegalArgumentException("pool '" + b.id() + "' names '" + m.backendId()
                            + "', which is not a single backend");
                }
                byPriority.computeIfAbsent(m.priority(), p -> new ArrayList<>()).add(m);
            }
            List<Group> groups = new ArrayList<>();
            byPriority.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> groups.add(
                    new Group(e.getValue().stream().map(m -> new Weighted(singles.get(m.backendId()), m.weight()))
                                      .toList())));
            pools.put(b.id(), List.copyOf(groups));
        }
    }

    /**
     * A backend entity.
     *
     * @param id its id
     * @return the backend, or empty
     */
    public Optional<Backend> backend(String id) {
        return Optional.ofNullable(all.get(id));
    }

    /**
     * The URL a backend stands for before a call chooses: a single backend's own, a pool's first member's in its
     * first priority group (what {@code context.Request.Url} shows before forwarding).
     *
     * @param id the backend's id
     * @return the URL, or empty if there is no such backend
     */
    public Optional<URI> nominalUrl(String id) {
        Backend single = singles.get(id);
        if (single != null) {
            return single.url();
        }
        List<Group> groups = pools.get(id);
        return groups == null ? Optional.empty() : groups.getFirst().members().getFirst().backend().url();
    }

    /**
     * Chooses the single backend a call goes to. A single backend is itself (when available); for a pool, as APIM:
     * the group of the lowest priority that has an available member, then a member of that group at random in
     * proportion to its weight among the available ones (members of weight 0 only when no other is available).
     *
     * @param id        the backend's id
     * @param available whether a single backend may be called now (its circuit breaker is closed)
     * @param random    the random source
     * @return the backend, or empty if there is no such backend or none is available
     */
    public Optional<Backend> choose(String id, Predicate<String> available, RandomGenerator random) {
        Backend single = singles.get(id);
        if (single != null) {
            return available.test(id) ? Optional.of(single) : Optional.empty();
        }
        List<Group> groups = pools.get(id);
        if (groups == null) {
            return Optional.empty();
        }
        for (Group group : groups) {
            Optional<Backend> chosen = group.choose(available, random);
            if (chosen.isPresent()) {
                return chosen;
            }
        }
        return Optional.empty();
    }

    private record Weighted(Backend backend, int weight) {
    }

    private record Group(List<Weighted> members) {

        Optional<Backend> choose(Predicate<String> available, RandomGenerator random) {
            long total = 0;
            Weighted fallback = null;
            for (Weighted w : members) {
                if (available.test(w.backend().id())) {
                    total += w.weight();
                    fallback = fallback == null ? w : fallback;
                }
            }
            if (fallback == null) {
                return Optional.empty();
            }
            if (total == 0) {
                return Optional.of(fallback.backend());
            }
            long pick = random.nextLong(total);
            for (Weighted w : members) {
                if (available.test(w.backend().id())) {
                    pick -= w.weight();
                    if (pick < 0) {
                        return Optional.of(w.backend());
                    }
                }
            }
            return Optional.of(fallback.backend());
        }
    }
}

package io.gatehouse.config;

import java.util.List;
import java.util.stream.Collectors;

/**
 * A configuration was refused: it lists every problem found, not only the first.
 */
public class ConfigException extends Exception {
    private static final long serialVersionUID = 1L;

    private final transient List<ConfigProblem> problems;

    /**
     * Creates an exception.
     *
     * @param problems the problems, at least one
     */
    public ConfigException(List<ConfigProblem> problems) {
        super(format(problems));
        if (problems.isEmpty()) {
            throw new IllegalArgumentException("a configuration exception needs at least one problem");
        }
        this.problems = List.copyOf(problems);
    }

    /**
     * Creates an exception with one problem.
     *
     * @param problem the problem
     */
    public ConfigException(ConfigProblem problem) {
        this(List.of(problem));
    }

    /**
     * The problems found.
     *
     * @return the problems, in the order found
     */
    public List<ConfigProblem> problems() {
        return problems;
    }

    private static String format(List<ConfigProblem> problems) {
        if (problems.size() == 1) {
            return problems.getFirst().toString();
        }
        return problems.size() + " problems:\n" + problems.stream()
                .map(p -> "  " + p)
                .collect(Collectors.joining("\n"));
    }
}

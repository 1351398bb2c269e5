package dev.jvmm.image;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Which kernel modules depend on which, and the order to load a set of them in (every module
 * after the modules it needs). Module names are compared the way the kernel does: {@code -} and
 * {@code _} are the same ({@code virtio-rng} is {@code virtio_rng}).
 *
 * <p>Built from {@code modules.dep} when the module tree has one, or module by module from
 * each module's {@code depends=} field (Debian's kernel packages ship no {@code modules.dep}:
 * depmod writes it at install time).
 */
public final class ModuleDependencies {

    /** Where dependencies come from: a module's relative path and its direct dependencies, by name. */
    public interface Catalog {
        /** The module's path (relative to {@code /lib/modules/VERSION}) or empty if there is no such module. */
        Optional<String> pathOf(String name);

        /** The names of the modules this one needs. */
        List<String> dependenciesOf(String name) throws ImageException;
    }

    /** A module to load: its canonical name and its path relative to {@code /lib/modules/VERSION}. */
    public record Module(String name, String path) {
    }

    private ModuleDependencies() {
    }

    /** The canonical form of a module name or file name ({@code kernel/x/virtio-rng.ko.xz} -> {@code virtio_rng}). */
    public static String canonicalName(String nameOrPath) {
        String n = nameOrPath.substring(nameOrPath.lastIndexOf('/') + 1);
        int ko = n.indexOf(".ko");
        if (ko >= 0) {
            n = n.substring(0, ko);
        }
        return n.replace('-', '_');
    }

    /**
     * Parses {@code modules.dep}: lines {@code path/a.ko[.xz]: path/b.ko path/c.ko}, where the
     * paths after the colon are every module that {@code a} needs, directly or not.
     */
    public static Catalog parseModulesDep(String text) {
        Map<String, String> paths = new LinkedHashMap<>();
        Map<String, List<String>> deps = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            int colon = line.indexOf(':');
            if (colon <= 0) {
                continue;
            }
            String path = line.substring(0, colon).trim();
            String name = canonicalName(path);
            List<String> needs = new ArrayList<>();
            for (String dep : line.substring(colon + 1).trim().split("\\s+")) {
                if (!dep.isEmpty()) {
                    needs.add(canonicalName(dep));
                }
            }
            paths.put(name, path);
            deps.put(name, needs);
        }
        return new Catalog() {
            @Override
            public Optional<String> pathOf(String name) {
                return Optional.ofNullable(paths.get(canonicalName(name)));
            }

            @Override
            public List<String> dependenciesOf(String name) {
                return deps.getOrDefault(canonicalName(name), List.of());
            }
        };
    }

    /**
     * The modules to load for {@code wanted}, dependencies first, each once. Wanted modules that
     * the catalog does not have (built into the kernel, or absent) are skipped, and so are their
     * would-be dependencies; a missing dependency of a present module is an error.
     */
    public static List<Module> loadOrder(Collection<String> wanted, Catalog catalog) throws ImageException {
        List<Module> order = new ArrayList<>();
        Set<String> done = new HashSet<>();
        for (String name : wanted) {
            String n = canonicalName(name);
            if (catalog.pathOf(n).isPresent()) {
                visit(n, catalog, done, new HashSet<>(), order, new ArrayList<>());
            }
        }
        return order;
    }

    private static void visit(String name, Catalog catalog, Set<String> done, Set<String> inProgress,
                              List<Module> order, List<String> chain) throws ImageException {
        if (done.contains(name)) {
            return;
        }
        if (!inProgress.add(name)) {
            throw new ImageException("kernel module dependency cycle: " + String.join(" -> ", chain) + " -> " + name);
        }
        chain.add(name);
        String path = catalog.pathOf(name)
                .orElseThrow(() -> new ImageException("kernel module " + chain.getFirst() + " needs "
                        + name + ", which the kernel package does not have"));
        for (String dep : catalog.dependenciesOf(name)) {
            visit(canonicalName(dep), catalog, done, inProgress, order, chain);
        }
        chain.removeLast();
        inProgress.remove(name);
        done.add(name);
        order.add(new Module(name, path));
    }
}

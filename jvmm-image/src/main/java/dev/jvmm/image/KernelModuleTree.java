package dev.jvmm.image;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;

import org.tukaani.xz.XZInputStream;

/**
 * An unpacked {@code lib/modules/VERSION} directory: finds modules by name, reads their
 * dependencies (from {@code modules.dep} if present, else from each module's
 * {@code .modinfo}), and returns a module's bytes decompressed so busybox {@code insmod} can
 * load it.
 */
public final class KernelModuleTree implements ModuleDependencies.Catalog {

    private final Path root;
    private final Map<String, String> pathsByName = new HashMap<>();
    private final Optional<ModuleDependencies.Catalog> modulesDep;
    private final Map<String, List<String>> dependsCache = new HashMap<>();

    private KernelModuleTree(Path root, Optional<ModuleDependencies.Catalog> modulesDep) {
        this.root = root;
        this.modulesDep = modulesDep;
    }

    public static KernelModuleTree open(Path root) throws ImageException {
        try {
            Path dep = root.resolve("modules.dep");
            Optional<ModuleDependencies.Catalog> parsed = Files.isRegularFile(dep)
                    ? Optional.of(ModuleDependencies.parseModulesDep(Files.readString(dep, StandardCharsets.UTF_8)))
                    : Optional.empty();
            KernelModuleTree tree = new KernelModuleTree(root, parsed);
            try (Stream<Path> files = Files.walk(root)) {
                files.filter(Files::isRegularFile)
                        .map(p -> root.relativize(p).toString().replace('\\', '/'))
                        .filter(KernelModuleTree::isModuleFile)
                        .sorted()
                        .forEach(p -> tree.pathsByName.putIfAbsent(ModuleDependencies.canonicalName(p), p));
            }
            return tree;
        } catch (IOException e) {
            throw new ImageException("cannot read kernel modules in " + root + ": " + e.getMessage(), e);
        }
    }

    static boolean isModuleFile(String path) {
        return path.endsWith(".ko") || path.endsWith(".ko.xz") || path.endsWith(".ko.gz");
    }

    /** The kernel version: the directory's name. */
    public String version() {
        return root.getFileName().toString();
    }

    @Override
    public Optional<String> pathOf(String name) {
        return Optional.ofNullable(pathsByName.get(ModuleDependencies.canonicalName(name)));
    }

    @Override
    public List<String> dependenciesOf(String name) throws ImageException {
        if (modulesDep.isPresent()) {
            return modulesDep.get().dependenciesOf(name);
        }
        String n = ModuleDependencies.canonicalName(name);
        List<String> cached = dependsCache.get(n);
        if (cached == null) {
            String path = pathOf(n).orElseThrow(() -> new ImageException("no kernel module " + n));
            cached = ModInfo.parse(decompressed(path)).depends();
            dependsCache.put(n, cached);
        }
        return cached;
    }

    /** The module file's contents, decompressed. */
    public byte[] decompressed(String path) throws ImageException {
        Path file = root.resolve(path);
        try (InputStream raw = Files.newInputStream(file);
             InputStream in = path.endsWith(".xz") ? new XZInputStream(raw)
                     : path.endsWith(".gz") ? new GZIPInputStream(raw) : raw) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new ImageException("cannot read kernel module " + path + ": " + e.getMessage(), e);
        }
    }

    /** The path a decompressed module gets ({@code kernel/fs/ext4/ext4.ko}). */
    public static String uncompressedPath(String path) {
        int ko = path.lastIndexOf(".ko");
        return path.substring(0, ko + 3);
    }
}

package io.sluice.ops;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

/**
 * The programs that render and validate the Kubernetes manifests offline, found or installed:
 * <ul>
 *   <li>{@code kubectl}, for its built-in kustomize ({@code kubectl kustomize DIR}; kustomize 5, in kubectl 1.27 or
 *       newer, for components and labels on pod templates): the machines of this project have it; as root a missing
 *       one is installed with apt-get;</li>
 *   <li>Node.js and npm (Debian's {@code nodejs} and {@code npm} when missing, as root);</li>
 *   <li>the npm packages of {@code ops/kubernetes/validate/package.json} (pinned by its package-lock.json),
 *       installed once with {@code npm ci} into a cache outside the repository
 *       ({@code ~/.cache/sluice/kubernetes-validate/HASH}, HASH of those two files) and reused.</li>
 * </ul>
 * Anything missing that cannot be installed fails with the command that installs it.
 */
final class KubernetesToolchain {

    private static final List<String> PROGRAM_DIRS = List.of("/usr/local/bin", "/usr/bin", "/bin", "/usr/sbin", "/sbin");
    private static final Pattern KUSTOMIZE_VERSION = Pattern.compile("Kustomize Version: v(\\d+)\\.");

    final Path kubectl;
    final Path node;
    /** The directory holding node_modules with the validator's packages. */
    final Path validatorPackages;

    private KubernetesToolchain(Path kubectl, Path node, Path validatorPackages) {
        this.kubectl = kubectl;
        this.node = node;
        this.validatorPackages = validatorPackages;
    }

    static KubernetesToolchain prepare(Path validateDir) throws IOException, InterruptedException {
        Path kubectl = program("kubectl", "kubectl", "kubectl 1.27 or newer (kustomize 5) from the Kubernetes apt repository"
                + " or your distribution; Debian 12's kubernetes-client 1.20 is too old");
        Run version = run(List.of(kubectl.toString(), "version", "--client"), null, 30);
        Matcher major = KUSTOMIZE_VERSION.matcher(version.stdout());
        if (!major.find() || Integer.parseInt(major.group(1)) < 5) {
            throw new IllegalStateException(kubectl + " has no kustomize 5 (the manifests use its components and labels): "
                    + version.stdout().strip() + "; install kubectl 1.27 or newer");
        }
        Path node = program("node", "nodejs npm", "Node.js 18 or newer with npm");
        Path npm = program("npm", "npm", "npm");
        return new KubernetesToolchain(kubectl, node, installPackages(npm, validateDir));
    }

    /** Finds a program, installing its Debian package as root when it is missing. */
    private static Path program(String name, String debianPackages, String what) throws IOException, InterruptedException {
        Path found = find(name);
        if (found == null && isRoot()) {
            System.out.println("Installing Debian packages for " + name + ": " + debianPackages);
            run(List.of("apt-get", "update", "-qq"), null, 600);
            List<String> install = new ArrayList<>(List.of("apt-get", "install", "-y", "-qq"));
            install.addAll(List.of(debianPackages.split(" ")));
            Run installed = runUnchecked(install, null, 900);
            found = find(name);
            if (found == null) {
                throw new IllegalStateException(name + " is not installed and 'apt-get install " + debianPackages
                        + "' did not provide it (" + installed.stderr().strip() + "); install " + what);
            }
        }
        if (found == null) {
            throw new IllegalStateException(name + " is not installed: run './sluice test' as root, or"
                    + " 'sudo apt-get install -y " + debianPackages + "' (" + what + ")");
        }
        return found;
    }

    private static Path find(String name) {
        return PROGRAM_DIRS.stream().map(dir -> Path.of(dir, name)).filter(Files::isExecutable).findFirst().orElse(null);
    }

    private static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    /** The validator's npm packages, installed once per version of package.json and package-lock.json. */
    private static Path installPackages(Path npm, Path validateDir) throws IOException, InterruptedException {
        Path manifest = validateDir.resolve("package.json");
        Path lock = validateDir.resolve("package-lock.json");
        String home = System.getenv("XDG_CACHE_HOME") != null ? System.getenv("XDG_CACHE_HOME")
                : System.getProperty("user.home") + "/.cache";
        Path cache = Path.of(home, "sluice", "kubernetes-validate", hash(manifest, lock));
        if (Files.exists(cache.resolve("installed"))) {
            return cache;
        }
        if (Files.exists(cache)) {
            deleteTree(cache); // an install that did not finish
        }
        Files.createDirectories(cache.getParent());
        Path staging = Files.createTempDirectory(cache.getParent(), "installing-");
        Files.copy(manifest, staging.resolve("package.json"));
        Files.copy(lock, staging.resolve("package-lock.json"));
        System.out.println("Installing the manifest validators' npm packages into " + cache);
        run(List.of(npm.toString(), "ci", "--no-audit", "--no-fund", "--ignore-scripts", "--loglevel=error"), staging, 600);
        Files.writeString(staging.resolve("installed"), "npm ci of " + manifest + "\n");
        try {
            Files.move(staging, cache, StandardCopyOption.ATOMIC_MOVE);
        } catch (FileAlreadyExistsException | AtomicMoveNotSupportedException | java.nio.file.DirectoryNotEmptyException e) {
            deleteTree(staging); // another run installed the same packages meanwhile
        }
        return cache;
    }

    private static String hash(Path... files) throws IOException {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            for (Path file : files) {
                sha.update(Files.readAllBytes(file));
            }
            return HexFormat.of().formatHex(sha.digest()).substring(0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void deleteTree(Path root) throws IOException {
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }

    /** The objects {@code kubectl kustomize DIR} renders. */
    List<JsonNode> render(Path dir) throws IOException, InterruptedException {
        String yaml = run(List.of(kubectl.toString(), "kustomize", dir.toString()), null, 60).stdout();
        List<JsonNode> objects = new ArrayList<>();
        new YAMLMapper().readerFor(JsonNode.class).readValues(yaml).forEachRemaining(object -> {
            if (object instanceof JsonNode node && node.isObject()) {
                objects.add(node);
            }
        });
        return objects;
    }

    /** Runs the validator on objects by target; its exit code says whether all are valid, its stdout why not. */
    Run validate(Map<String, List<JsonNode>> objects, Path script, Path work) throws IOException, InterruptedException {
        Files.createDirectories(work);
        Path file = Files.createTempFile(work, "rendered-", ".json");
        new ObjectMapper().writeValue(file.toFile(), objects);
        try {
            return runUnchecked(List.of(node.toString(), script.toString(), validatorPackages.toString(), file.toString()), null, 180);
        } finally {
            Files.deleteIfExists(file);
        }
    }

    record Run(int exitCode, String stdout, String stderr) {
    }

    /** Runs a program to its end; fails naming it when it exits non-zero or outlasts {@code timeoutSeconds}. */
    static Run run(List<String> command, Path directory, int timeoutSeconds) throws IOException, InterruptedException {
        Run result = runUnchecked(command, directory, timeoutSeconds);
        if (result.exitCode() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " exited " + result.exitCode() + ":\n"
                    + result.stderr() + result.stdout());
        }
        return result;
    }

    static Run runUnchecked(List<String> command, Path directory, int timeoutSeconds) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(command);
        if (directory != null) {
            builder.directory(directory.toFile());
        }
        Path stderr = Files.createTempFile("sluice-k8s-", ".stderr");
        try {
            builder.redirectError(stderr.toFile());
            Process process = builder.start();
            process.getOutputStream().close();
            // stdout is read while the program runs, so that a large rendering cannot fill the pipe and stall it.
            var stdout = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                try {
                    return new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException(String.join(" ", command) + " did not finish within " + timeoutSeconds + " s");
            }
            return new Run(process.exitValue(), stdout.join(), Files.readString(stderr));
        } finally {
            Files.deleteIfExists(stderr);
        }
    }
}

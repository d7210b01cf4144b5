package io.sluice.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

/**
 * The Dockerfile docker-compose builds the services from: BuildKit with a Maven cache, every module of the reactor in
 * the build context, a stage per compose target, curl for the healthchecks, no secret in the build context.
 */
class ComposeDockerfileTest {

    private static final String DOCKERFILE = ComposeFile.read("Dockerfile");

    /** Each stage's name (FROM ... AS name) and its instructions, continuation lines joined. */
    private static Map<String, List<String>> stages() {
        Map<String, List<String>> stages = new LinkedHashMap<>();
        List<String> current = null;
        for (String line : DOCKERFILE.replaceAll("\\\\\\n\\s*", " ").split("\n")) {
            String text = line.strip();
            if (text.startsWith("#") || text.isEmpty()) {
                continue;
            }
            Matcher from = Pattern.compile("FROM (\\S+) AS (\\S+)").matcher(text);
            if (from.matches()) {
                current = new ArrayList<>();
                current.add(text);
                stages.put(from.group(2), current);
            } else {
                assertTrue(current != null, "every instruction in a named stage: " + text);
                current.add(text);
            }
        }
        return stages;
    }

    @Test
    void buildKitCachesMavensRepository() {
        assertEquals("# syntax=docker/dockerfile:1", DOCKERFILE.lines().findFirst().orElse(""), "BuildKit's Dockerfile syntax");
        List<String> build = stages().get("build");
        assertTrue(build != null, "a build stage");
        List<String> maven = build.stream().filter(i -> i.startsWith("RUN ") && i.contains(" mvn ")).toList();
        assertEquals(1, maven.size(), "one Maven run: " + maven);
        assertTrue(maven.get(0).startsWith("RUN --mount=type=cache,target=/root/.m2 "), "Maven's repository cached: " + maven);
    }

    @Test
    void theBuildStageHasEveryModuleOfTheReactor() {
        Matcher module = Pattern.compile("<module>([^<]+)</module>").matcher(ComposeFile.read("pom.xml"));
        List<String> modules = new ArrayList<>();
        while (module.find()) {
            modules.add(module.group(1));
        }
        assertTrue(modules.contains("ops") && modules.size() >= 10, "the root pom's modules: " + modules);
        List<String> build = stages().get("build");
        assertTrue(build.contains("COPY pom.xml ./"), "the root pom");
        for (String m : modules) {
            assertTrue(build.contains("COPY " + m + " " + m), "the build stage copies module " + m + " (Maven reads every module)");
        }
    }

    @Test
    void everyComposeTargetIsAStageRunningItsServicesJar() {
        Map<String, List<String>> stages = stages();
        assertTrue(stages.get("runtime").stream().anyMatch(i -> i.startsWith("RUN curl --version")),
                "the runtime image proves curl is there for the compose healthchecks: " + stages.get("runtime"));
        assertTrue(stages.get("runtime").contains("USER sluice"), "the services do not run as root");
        for (ComposeFile.SluiceService sluice : ComposeFile.SLUICE_SERVICES) {
            List<String> stage = stages.get(sluice.target());
            assertTrue(stage != null, "a stage " + sluice.target());
            assertTrue(stage.get(0).startsWith("FROM runtime AS "), sluice.target() + " builds on the runtime stage");
            assertTrue(stage.contains("COPY --from=build /src/" + sluice.target() + "/target/" + sluice.target()
                    + "-*-all.jar /app/service.jar"), sluice.target() + " runs its shaded jar");
            int ops = (Integer) sluice.definition().defaultValues().get("ops.port");
            assertTrue(stage.stream().anyMatch(i -> i.startsWith("EXPOSE ") && List.of(i.split(" ")).contains(String.valueOf(ops))),
                    sluice.target() + " exposes its ops port " + ops);
            // exec form: java is PID 1 and gets Docker's SIGTERM, so the service drains and stops cleanly
            assertTrue(stage.contains("ENTRYPOINT [\"java\", \"-jar\", \"/app/service.jar\"]"), sluice.target());
        }
    }

    @Test
    void theBuildContextLeavesSecretsOut() {
        List<String> ignored = ComposeFile.read(".dockerignore").lines().map(String::strip).toList();
        for (String secret : List.of(".sluice", ".env")) {
            assertTrue(ignored.contains(secret), ".dockerignore keeps " + secret + " out of the build context: " + ignored);
        }
    }
}

package io.sluice.testing;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Finds a program a test needs, or fails with the command that installs it. */
final class ExternalProgram {

    private ExternalProgram() {
    }

    static String find(String name, String debianPackage) {
        for (String dir : List.of("/usr/sbin", "/usr/bin", "/usr/local/bin", "/sbin", "/bin")) {
            Path candidate = Path.of(dir, name);
            if (Files.isExecutable(candidate)) {
                return candidate.toString();
            }
        }
        throw new IllegalStateException(name + " is not installed: './sluice test' installs it, or run"
                + " 'apt-get install -y " + debianPackage + "' as root");
    }
}

package io.sluice.cli;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.Callable;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.sluice.bridge.auth.CredentialsFile;
import io.sluice.bridge.auth.PasswordHash;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code sluice device add|remove|list}: the devices allowed to connect, in the bridges' credentials file. The bridges
 * reread the file when it changes, so no restart is needed.
 */
@Command(name = "device", header = "Manage device credentials: add, remove, list",
        sortOptions = false, description = "Manage device credentials (the bridges reread the file within seconds).",
        subcommands = {DeviceCommand.Add.class, DeviceCommand.Remove.class, DeviceCommand.List.class})
final class DeviceCommand implements Runnable {

    @Option(names = "--file", paramLabel = "FILE", description = "the credentials file (default: $SLUICE_HOME/credentials,"
            + " that is .sluice/credentials)")
    Path file;

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new UserError("add, remove or list? (./sluice device --help)");
    }

    CredentialsFile credentials() {
        return new CredentialsFile(file != null ? file : StackOptions.home().resolve("credentials"));
    }

    @Command(name = "add", sortOptions = false, description = "Add a device (or give it a new secret) and print its secret, once.")
    static final class Add implements Callable<Integer> {

        @ParentCommand
        DeviceCommand device;

        @Parameters(paramLabel = "DEVICE_ID", description = "1 to 128 of A-Z a-z 0-9 . _ : -")
        String deviceId;

        @Option(names = "--iterations", paramLabel = "N", defaultValue = "" + PasswordHash.DEFAULT_ITERATIONS,
                description = "PBKDF2 rounds (default: ${DEFAULT-VALUE}; raise them for secrets people choose)")
        int iterations;

        @Option(names = "--secret-from-stdin", description = "read the secret from standard input instead of generating one")
        boolean fromStdin;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            String secret = fromStdin ? readSecret() : PasswordHash.newSecret();
            CredentialsFile file = device.credentials();
            boolean replaced = file.add(deviceId, secret, iterations);
            if (!fromStdin) {
                spec.commandLine().getOut().println(secret);
                spec.commandLine().getOut().flush();
            }
            spec.commandLine().getErr().println((replaced ? "replaced" : "added") + " device " + deviceId + " in " + file.path()
                    + (fromStdin ? "" : "; its secret is printed above, once: give it to the device as its MQTT password"));
            return 0;
        }

        private static String readSecret() throws java.io.IOException {
            String secret = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
            if (secret == null || secret.isEmpty()) {
                throw new UserError("no secret on standard input");
            }
            return secret;
        }
    }

    @Command(name = "remove", description = "Remove a device: it can no longer connect.")
    static final class Remove implements Callable<Integer> {

        @ParentCommand
        DeviceCommand device;

        @Parameters(paramLabel = "DEVICE_ID")
        String deviceId;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            device.credentials().remove(deviceId);
            spec.commandLine().getErr().println("removed device " + deviceId);
            return 0;
        }
    }

    @Command(name = "list", description = "List the devices in the credentials file.")
    static final class List implements Callable<Integer> {

        @ParentCommand
        DeviceCommand device;

        @Option(names = "--json", description = "print a JSON array of device ids")
        boolean json;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            java.util.List<String> devices = device.credentials().devices();
            var out = spec.commandLine().getOut();
            if (json) {
                out.println(new ObjectMapper().writeValueAsString(devices));
            } else if (devices.isEmpty()) {
                out.println("no devices in " + device.credentials().path());
            } else {
                devices.forEach(out::println);
            }
            out.flush();
            return 0;
        }
    }
}

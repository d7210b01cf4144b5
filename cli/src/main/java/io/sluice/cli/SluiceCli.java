package io.sluice.cli;

import java.io.PrintWriter;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Help;

/**
 * {@code sluice}: the user's commands once the stack runs. The {@code ./sluice} script handles what must be shell
 * (checking the machine, building, starting and stopping processes, status and logs) and hands every other command to
 * this program; the script's own commands are declared here too ({@link ScriptCommands}), so that every command has
 * its help generated from one place ({@link HelpTexts}) and one completion script covers them all.
 *
 * <p>Mistakes end with one line on stderr and exit status 2 (an unknown option, a bad value, a missing argument);
 * failures of the stack with one line and status 1. Neither prints a stack trace.
 */
@Command(name = "sluice", mixinStandardHelpOptions = true, scope = CommandLine.ScopeType.INHERIT, versionProvider = SluiceCli.Version.class, sortOptions = false,
        description = "Sluice: MQTT telemetry into Kafka, Kafka Streams and ClickHouse. These commands work on the native"
                + " stack, which runs on this machine: start it with ./sluice up.",
        commandListHeading = "%nCommands:%n",
        footer = {"", "Each command's options: ./sluice COMMAND --help"},
        subcommands = {
                ScriptCommands.Demo.class, ScriptCommands.Test.class, ScriptCommands.Up.class, ScriptCommands.Down.class,
                StatusCommand.class, ScriptCommands.Build.class, ScriptCommands.Logs.class, ScriptCommands.Restart.class,
                ScriptCommands.Scale.class,
                QueryCommand.class, ReportCommand.class, DeviceCommand.class, ReplayCommand.class, BalanceCommand.class,
                RetentionCommand.class, ClickHouseCommand.class, LoadCommand.class, BenchCommand.class, ChaosCommand.class, SoakCommand.class, CompletionCommand.class})
public final class SluiceCli implements Runnable {

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        CommandLine line = commandLine();
        if (System.getenv("SLUICE_PARSE_ONLY") != null) {
            // ./sluice checks a command's arguments before it starts the stack for it.
            try {
                line.parseArgs(args);
                System.exit(0);
            } catch (CommandLine.ParameterException e) {
                try {
                    System.exit(line.getParameterExceptionHandler().handleParseException(e, args));
                } catch (Exception unexpected) {
                    System.exit(2);
                }
            }
        }
        System.exit(line.execute(args));
    }

    /** The command tree with Sluice's error handling: one line per mistake or failure, never a stack trace. */
    public static CommandLine commandLine() {
        CommandLine line = new CommandLine(new SluiceCli());
        line.setColorScheme(Help.defaultColorScheme(Help.Ansi.OFF));
        line.setParameterExceptionHandler((error, args) -> {
            CommandLine failed = error.getCommandLine();
            failed.getErr().println(failed.getCommandSpec().qualifiedName() + ": " + error.getMessage().replace("\n", " ")
                    + " (" + failed.getCommandSpec().qualifiedName(" ").replace("sluice", "./sluice") + " --help)");
            return 2;
        });
        line.setExecutionExceptionHandler((error, failed, parsed) -> {
            PrintWriter err = failed.getErr();
            String name = failed.getCommandSpec().qualifiedName();
            if (error instanceof UserError || error instanceof IllegalArgumentException) {
                err.println(name + ": " + error.getMessage());
                return 2;
            }
            Throwable cause = error.getCause() != null && error.getMessage() == null ? error.getCause() : error;
            err.println(name + ": " + cause.getMessage());
            if (System.getenv("SLUICE_DEBUG") != null) {
                error.printStackTrace(err);
            }
            return 1;
        });
        line.setUsageHelpWidth(110);
        return line;
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** The version, from the jar's manifest when there is one. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = SluiceCli.class.getPackage().getImplementationVersion();
            return new String[] {"sluice " + (version == null ? "0.1.0-SNAPSHOT" : version)};
        }
    }
}

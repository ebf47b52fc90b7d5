/**
 * The command line: parse arguments, call one use case, map errors to exit codes. Each
 * command's module is imported only when it runs, so `--help` stays fast.
 */
import { Command, CommanderError, Option } from 'commander';
import { drawbridgeVersion } from '../version.js';
import { exitCodeFor, formatError } from '../errors.js';
import type { CliIO, ExitCode } from './io.js';

export interface GlobalOptions {
  readonly config?: string;
  readonly logLevel?: string;
}

export async function runCli(argv: readonly string[], io: CliIO): Promise<ExitCode> {
  let exitCode: ExitCode = 0;
  const program = new Command('drawbridge')
    .description('Watches Amazon ECR, picks tags by policy, rewrites manifests and pushes to Git.')
    .version(drawbridgeVersion(), '-V, --version')
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
    })
    .showHelpAfterError();

  const configOption = (): Option =>
    new Option('-c, --config <file>', 'config file (default: $DRAWBRIDGE_CONFIG or ./drawbridge.yaml)');
  const logLevelOption = (): Option =>
    new Option('--log-level <level>', 'trace, debug, info, warn, error').choices([
      'trace',
      'debug',
      'info',
      'warn',
      'error',
      'silent',
    ]);

  const run = (task: () => Promise<ExitCode>) => async () => {
    exitCode = await task();
  };

  program
    .command('run')
    .description('the daemon: schedule + events + HTTP (health, metrics, events)')
    .addOption(configOption())
    .addOption(logLevelOption())
    .action(async (options: { config?: string; logLevel?: string }) =>
      run(async () => (await import('./commands/run.js')).runCommand(options, io))(),
    );

  program
    .command('scan')
    .description('one reconciliation: read ECR, pick tags, edit, commit and push')
    .addOption(configOption())
    .addOption(logLevelOption())
    .option('-e, --env <env...>', 'only these environments')
    .option('-i, --image <image...>', 'only these images')
    .option('--dry-run', 'print the diff per environment, push nothing')
    .option('--explain', 'print candidates and the reasons for each choice')
    .option('--json', 'one JSON object per environment on stdout')
    .action(async (options: ScanCliOptions) =>
      run(async () => (await import('./commands/scan.js')).scanCommand(options, io))(),
    );

  program
    .command('validate')
    .description("check the config and the markers in every environment's files")
    .addOption(configOption())
    .addOption(logLevelOption())
    .option('--no-markers', 'check the config file only (no Git access)')
    .action(async (options: { config?: string; markers: boolean; logLevel?: string }) =>
      run(async () => (await import('./commands/validate.js')).validateCommand(options, io))(),
    );

  program
    .command('status')
    .description('per environment and image: in Git now, eligible next, and why')
    .addOption(configOption())
    .addOption(logLevelOption())
    .option('-e, --env <env...>', 'only these environments')
    .option('--json', 'JSON output')
    .action(async (options: { config?: string; env?: string[]; json?: boolean; logLevel?: string }) =>
      run(async () => (await import('./commands/status.js')).statusCommand(options, io))(),
    );

  program
    .command('hold')
    .description('freeze an image in an environment (recorded in Git)')
    .argument('<env>')
    .argument('<image>')
    .addOption(configOption())
    .addOption(logLevelOption())
    .option('-r, --reason <reason>', 'why, for the commit and for `status`')
    .action(
      async (env: string, image: string, options: { config?: string; reason?: string; logLevel?: string }) =>
        run(async () =>
          (await import('./commands/hold.js')).holdCommand({ ...options, env, image, hold: true }, io),
        )(),
    );

  program
    .command('release')
    .description('lift the hold on an image in an environment')
    .argument('<env>')
    .argument('<image>')
    .addOption(configOption())
    .addOption(logLevelOption())
    .action(async (env: string, image: string, options: { config?: string; logLevel?: string }) =>
      run(async () =>
        (await import('./commands/hold.js')).holdCommand({ ...options, env, image, hold: false }, io),
      )(),
    );

  const events = program.command('events').description('EventBridge wiring for ECR push events');
  events
    .command('setup')
    .description('create or update the EventBridge rule and its SQS target')
    .addOption(configOption())
    .addOption(logLevelOption())
    .option('--dry-run', 'print the calls, change nothing')
    .option('--rule-name <name>', 'rule name', 'drawbridge-ecr-push')
    .option('--queue-arn <arn>', 'SQS queue ARN (default: derived from events.sqs.queueUrl)')
    .action(async (options: { config?: string; dryRun?: boolean; ruleName: string; queueArn?: string }) =>
      run(async () => (await import('./commands/events-setup.js')).eventsSetupCommand(options, io))(),
    );

  const imports = program.command('import').description("write drawbridge.yaml from another tool's objects");
  imports
    .command('flux')
    .description('from Flux ImageRepository, ImagePolicy, ImageUpdateAutomation and GitRepository objects')
    .argument('[files...]', 'YAML files or folders, or - for standard input (kubectl get … -o yaml)')
    .action(async (files: string[]) =>
      run(async () => (await import('./commands/import.js')).importCommand('flux', files, io))(),
    );
  imports
    .command('argocd-image-updater')
    .description('from Argo CD Applications annotated for Argo CD Image Updater')
    .argument(
      '[files...]',
      'YAML files or folders, or - for standard input (kubectl get applications -A -o yaml)',
    )
    .option('--write-markers <repo-dir>', 'add the $imagepolicy markers in this checkout of the repository')
    .action(async (files: string[], options: { writeMarkers?: string }) =>
      run(async () =>
        (await import('./commands/import.js')).importCommand('argocd-image-updater', files, io, options),
      )(),
    );

  program
    .command('schema')
    .description('print the JSON Schema of drawbridge.yaml')
    .action(async () => run(async () => (await import('./commands/schema.js')).schemaCommand(io))());

  program
    .command('demo')
    .description('the whole loop on this machine, no AWS account needed')
    .option('--keep-running', 'keep the daemon up after the tour')
    .option('--dir <dir>', 'where to put the demo files (default: a new temp folder)')
    .action(async (options: { keepRunning?: boolean; dir?: string }) =>
      run(async () => (await import('./commands/demo.js')).demoCommand(options, io))(),
    );

  try {
    await program.parseAsync(['node', 'drawbridge', ...argv]);
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.exitCode === 0) return 0;
      return 2;
    }
    io.stderr.write(`error: ${formatError(error)}\n`);
    return exitCodeFor(error);
  }
}

export interface ScanCliOptions {
  readonly config?: string;
  readonly logLevel?: string;
  readonly env?: string[];
  readonly image?: string[];
  readonly dryRun?: boolean;
  readonly explain?: boolean;
  readonly json?: boolean;
}

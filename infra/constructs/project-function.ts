import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Duration } from 'aws-cdk-lib';
import { CfnTable, type ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, type CfnFunction, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat, SourceMapMode } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { acknowledgeFinding, nagArnReference } from '../compliance.ts';

/** The repository root: entries, the lockfile and the tsconfig are resolved from it, not from the cwd. */
const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

/**
 * esbuild's ESM output has no `require`; some dependencies still call it for Node built-ins.
 * Kept on one line: it is prepended verbatim to every bundle.
 */
export const esmRequireBanner =
  "import { createRequire as __projectCreateRequire } from 'node:module'; const require = __projectCreateRequire(import.meta.url);";

export type TableAccess = 'read' | 'readWrite';

/** Template metadata key holding a function's entry file (e.g. `functions/plan-next-action.ts`). */
export const projectFunctionEntryMetadataKey = 'collections:entry';

export interface ProjectFunctionProps {
  /** The handler file, relative to the repository root, e.g. `functions/plan-next-action.ts`. It exports `handler`. */
  readonly entry: string;
  /** What the function does, shown in the console. */
  readonly description: string;
  /**
   * Memory in MiB. CPU scales with it, and cold starts (module init of the bundled SDK) with the CPU.
   * @default 512
   */
  readonly memorySize?: number;
  /**
   * @default Duration.seconds(10)
   */
  readonly timeout?: Duration;
  /**
   * Extra environment variables, on top of the defaults (`POWERTOOLS_SERVICE_NAME`, `NODE_OPTIONS`).
   * @default - none
   */
  readonly environment?: Readonly<Record<string, string>>;
  /**
   * How long the function's logs are kept.
   * @default RetentionDays.ONE_MONTH
   */
  readonly logRetention?: RetentionDays;
  /**
   * `POWERTOOLS_SERVICE_NAME`: the `service` key of every log line.
   * @default 'collections'
   */
  readonly serviceName?: string;
  /**
   * Modules left out of the bundle, e.g. an optional native dependency a library only tries to load.
   * @default - none: everything is bundled
   */
  readonly externalModules?: readonly string[];
  /**
   * Files copied next to the bundle (`to` is a file name in the asset), e.g. a WebAssembly module
   * or a font a library reads at run time. `from` is relative to the repository root.
   * @default - none
   */
  readonly bundledFiles?: readonly { readonly from: string; readonly to: string }[];
}

/**
 * Every Lambda function of the product, with the defaults in one place (DESIGN.md decision 6):
 * Node.js 22 on arm64, an ESM bundle built by the local esbuild (never Docker), minified, with
 * source maps and the AWS SDK bundled (it loads faster than the runtime's copy: TOOLCHAIN.md),
 * X-Ray tracing, and a log group created here with a retention, written to by a role that can
 * write nowhere else (instead of the managed AWSLambdaBasicExecutionRole, which may create and
 * write any log group of the account).
 */
export class ProjectFunction extends NodejsFunction {
  private readonly executionRole: Role;

  public constructor(scope: Construct, id: string, props: ProjectFunctionProps) {
    const logGroup = new LogGroup(scope, `${id}LogGroup`, {
      retention: props.logRetention ?? RetentionDays.ONE_MONTH,
    });
    const executionRole = new Role(scope, `${id}Role`, {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `Execution role of ${id}`,
    });
    logGroup.grantWrite(executionRole);

    super(scope, id, {
      entry: join(repoRoot, props.entry),
      handler: 'handler',
      description: props.description,
      // Node.js 22: the version the toolchain is proven on (TOOLCHAIN.md), supported by Lambda until 2027.
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize ?? 512,
      timeout: props.timeout ?? Duration.seconds(10),
      tracing: Tracing.ACTIVE,
      logGroup,
      role: executionRole,
      projectRoot: repoRoot,
      depsLockFilePath: join(repoRoot, 'package-lock.json'),
      environment: {
        POWERTOOLS_SERVICE_NAME: props.serviceName ?? 'collections',
        // Stack traces point at the TypeScript sources, not the minified bundle.
        NODE_OPTIONS: '--enable-source-maps',
        ...props.environment,
      },
      bundling: {
        format: OutputFormat.ESM,
        mainFields: ['module', 'main'],
        banner: esmRequireBanner,
        minify: true,
        sourceMap: true,
        sourceMapMode: SourceMapMode.DEFAULT,
        // The map only needs positions and names: leaving the sources out keeps the asset small.
        sourcesContent: false,
        bundleAwsSDK: true,
        externalModules: [...(props.externalModules ?? [])],
        ...(props.bundledFiles && props.bundledFiles.length > 0
          ? {
              commandHooks: {
                beforeBundling: () => [],
                beforeInstall: () => [],
                afterBundling: (_inputDir: string, outputDir: string) =>
                  (props.bundledFiles ?? []).map(
                    (file) => `cp "${join(repoRoot, file.from)}" "${join(outputDir, file.to)}"`,
                  ),
              },
            }
          : {}),
        tsconfig: join(repoRoot, 'tsconfig.json'),
        forceDockerBundling: false,
      },
    });
    this.executionRole = executionRole;
    // The local runtime maps each function of the template to its handler by this entry.
    (this.node.defaultChild as CfnFunction).addMetadata(projectFunctionEntryMetadataKey, props.entry);

    acknowledgeFinding(
      executionRole,
      'IAM5[Resource::*]',
      'X-Ray tracing (xray:PutTraceSegments, xray:PutTelemetryRecords) does not support resource-level permissions; AWS documents Resource "*" for these actions.',
    );
    acknowledgeFinding(
      this,
      'L1',
      'Node.js 22 is pinned deliberately: it is the runtime the toolchain and the local runtime are verified on (TOOLCHAIN.md) and it is supported by Lambda until 2027-04-30. Moving to Node.js 24 is a one-line change here once verified.',
    );
  }

  /**
   * Grants access to the table and tells the function its name (`TABLE_NAME`), in one call so that
   * the two cannot drift apart.
   */
  public bindTable(table: ITable, access: TableAccess): void {
    if (access === 'read') table.grantReadData(this);
    else table.grantReadWriteData(this);
    this.addEnvironment('TABLE_NAME', table.tableName);
    // An imported table has no resource in this stack to name; its grant is reviewed where it is defined.
    if (!(table.node.defaultChild instanceof CfnTable)) return;
    acknowledgeFinding(
      this.executionRole,
      `IAM5[Resource::${nagArnReference(table)}/index/*]`,
      'The grant covers the global secondary indexes of this one table (claims by failure month, open cases), which the function queries; index ARNs can only be listed by name or with this suffix.',
    );
  }
}

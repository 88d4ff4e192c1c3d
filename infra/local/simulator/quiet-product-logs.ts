/**
 * Imported first by the simulator and the benchmark: the product's handlers log one line per
 * webhook and job at INFO, which would bury the progress bar and the report. Warnings and errors
 * still show. An explicit POWERTOOLS_LOG_LEVEL wins. (ES modules evaluate in import order, so
 * this runs before the logger module reads the variable.)
 */
process.env.POWERTOOLS_LOG_LEVEL ??= 'WARN';
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

/** Test process environment: quiet the SDK's Node 22 notice (tests run on Node 20) and Powertools metrics output. */
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';

// The playground uses the package's browser entry exactly as a bundling user would.
export * from "../../dist/src/browser/index.js";

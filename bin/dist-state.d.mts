// Types of dist-state.mjs (plain JavaScript: bin/modex.js runs it before anything compiles TypeScript).
export declare const MANIFEST: string;
export interface SourcesManifest {
  files: Record<string, { size: number; mtimeMs: number; sha256: string }>;
}
export declare function sourceFiles(root: string): string[];
export declare function sourcesManifest(root: string): SourcesManifest;
export declare function distProblem(root: string): string | undefined;

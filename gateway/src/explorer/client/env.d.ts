// esbuild bundles CSS imports into the stylesheet beside the script; they export nothing.
declare module '*.css';

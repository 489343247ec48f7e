// Vite's module types: `?raw` imports a file's text (the playground's example workload).
/// <reference types="vite/client" />

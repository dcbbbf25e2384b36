export { loadPlaygroundAssets, type PlaygroundAsset } from './playground-assets.js';
export { playgroundRoutes, type PlaygroundOptions } from './playground-routes.js';

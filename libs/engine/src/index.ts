export const engineName = 'engine';

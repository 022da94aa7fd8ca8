import { describe, expect, it } from 'vitest';
import { envPlugins, pluginArgs } from './load-plugins.js';

describe('plugin arguments', () => {
  it('takes --plugin X and --plugin=X out of any command line, in order', () => {
    expect(pluginArgs(['run', 'a.json', '--plugin', './mine', '--quiet', '--plugin=@acme/nodes'])).toEqual({
      plugins: ['./mine', '@acme/nodes'],
      rest: ['run', 'a.json', '--quiet'],
    });
    expect(pluginArgs(['validate', 'a.json'])).toEqual({ plugins: [], rest: ['validate', 'a.json'] });
  });

  it('refuses --plugin without a value', () => {
    expect(() => pluginArgs(['run', 'a.json', '--plugin'])).toThrow('--plugin needs a folder or package name');
    expect(() => pluginArgs(['run', '--plugin', '--quiet'])).toThrow('--plugin needs a folder or package name');
  });

  it('reads SLUICE_PLUGINS as a comma-separated list', () => {
    expect(envPlugins({ SLUICE_PLUGINS: ' ./a, @acme/b ,,' })).toEqual(['./a', '@acme/b']);
    expect(envPlugins({})).toEqual([]);
  });
});

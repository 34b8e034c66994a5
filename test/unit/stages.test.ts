import { stageConfig, STAGES } from '../../infra/config/stages';

describe('stage config', () => {
  it('knows dev, staging and prod and retains data only in prod', () => {
    expect(Object.keys(STAGES).sort()).toEqual(['dev', 'prod', 'staging']);
    expect(stageConfig('prod').retainData).toBe(true);
    expect(stageConfig('dev').retainData).toBe(false);
  });
  it('refuses an unknown stage with the list of valid ones', () => {
    expect(() => stageConfig('qa')).toThrow(/dev, staging, prod/);
  });
});

import { describe, expect, it } from 'vitest';
import { hfRefPath, hfRepoFolderName, hfSymlinkTarget, parseHfRepoFolderName } from './hf-layout.js';
import { msFolderName, msModelDir, msUnfolderName, pickle, pickleStrings, readMdlId } from './ms-layout.js';
import { msRevision } from './ms-source.js';

describe('Hugging Face cache layout', () => {
  it('names repository folders like huggingface_hub', () => {
    expect(hfRepoFolderName('Qwen/Qwen2.5-7B')).toBe('models--Qwen--Qwen2.5-7B');
    expect(hfRepoFolderName('gpt2')).toBe('models--gpt2');
    expect(parseHfRepoFolderName('models--Qwen--Qwen2.5-7B')).toBe('Qwen/Qwen2.5-7B');
    expect(parseHfRepoFolderName('models--gpt2')).toBe('gpt2');
    expect(parseHfRepoFolderName('datasets--a--b')).toBeUndefined();
    expect(parseHfRepoFolderName('models--a--b--c')).toBeUndefined();
    expect(parseHfRepoFolderName('.locks')).toBeUndefined();
  });
  it('links snapshot files to blobs with relative paths', () => {
    expect(hfSymlinkTarget('config.json', 'abc')).toBe('../../blobs/abc');
    expect(hfSymlinkTarget('onnx/model.onnx', 'abc')).toBe('../../../blobs/abc');
    expect(hfSymlinkTarget('a/b/c.bin', 'abc')).toBe('../../../../blobs/abc');
    expect(hfRefPath('/r', 'refs/pr/1')).toBe('/r/refs/refs/pr/1');
  });
});

describe('ModelScope cache layout', () => {
  it('replaces dots in folder names like the library', () => {
    expect(msFolderName('Qwen2.5-0.5B-Instruct')).toBe('Qwen2___5-0___5B-Instruct');
    expect(msUnfolderName('Qwen2___5-0___5B-Instruct')).toBe('Qwen2.5-0.5B-Instruct');
    expect(msModelDir('/c', 'Qwen', 'Qwen2.5-7B')).toBe('/c/modelscope/hub/models/Qwen/Qwen2___5-7B');
    expect(msRevision('main')).toBe('master');
    expect(msRevision('v1.0.1')).toBe('v1.0.1');
  });

  it('writes pickles Python reads (protocol 2) and reads .mdl files Python wrote', () => {
    // What `pickle.dumps({"id": "org/name"}, protocol=2)` produces, memo ops aside.
    expect(pickle({ id: 'org/name' }).toString('latin1')).toBe(
      '\x80\x02}(X\x02\x00\x00\x00idX\x08\x00\x00\x00org/nameu.',
    );
    expect(pickle([]).toString('latin1')).toBe('\x80\x02].');
    expect(pickleStrings(pickle([{ Path: 'sub/模型.bin', Revision: 'abc' }]))).toEqual([
      'Path',
      'sub/模型.bin',
      'Revision',
      'abc',
    ]);
    // Python 3.8+ default (protocol 4) and protocol 2 with memo opcodes:
    const p4 = Buffer.from(
      '8004951b000000000000007d948c026964948c0f5177656e2f5177656e322e352d374294732e',
      'hex',
    );
    expect(readMdlId(p4)).toBe('Qwen/Qwen2.5-7B');
    const p2 = Buffer.concat([
      Buffer.from('\x80\x02}q\x00X\x02\x00\x00\x00idq\x01X\x0f\x00\x00\x00', 'latin1'),
      Buffer.from('Qwen/Qwen2.5-7B'),
      Buffer.from('q\x02s.', 'latin1'),
    ]);
    expect(readMdlId(p2)).toBe('Qwen/Qwen2.5-7B');
    expect(readMdlId(Buffer.from('garbage'))).toBeUndefined();
  });
});

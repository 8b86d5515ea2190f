import { z } from 'zod';
import { ModelTemplate, TemplateCategory, TemplateDeploymentDefaults } from '../../core/domain/index.js';
import { ModelUid, Slug } from '../../core/ids.js';
import { ResourceVersion, WithResourceVersion, listOf } from './common.js';
import { checkLocalPath, DeploymentFields, SpecFields } from './models.js';

export const TemplateView = ModelTemplate.extend({ resource_version: ResourceVersion }).meta({
  id: 'Template',
});
export type TemplateView = z.infer<typeof TemplateView>;
export const TemplateList = listOf(TemplateView);

const TemplateSpecBody = z.strictObject(SpecFields).superRefine(checkLocalPath);

/** What a template says about itself: create takes them, update takes any of them. */
const TemplateFields = {
  name: z.string().min(1).max(200),
  description: z.string().max(2000).optional(),
  category: TemplateCategory,
  spec: TemplateSpecBody,
  deployment: TemplateDeploymentDefaults.partial().optional(),
};

export const CreateTemplateBody = z
  .strictObject({ template_id: Slug.optional(), ...TemplateFields })
  .meta({ id: 'CreateTemplateBody' });
export type CreateTemplateBody = z.infer<typeof CreateTemplateBody>;

export const UpdateTemplateBody = z
  .strictObject(TemplateFields)
  .partial()
  .extend(WithResourceVersion)
  .meta({ id: 'UpdateTemplateBody' });
export type UpdateTemplateBody = z.infer<typeof UpdateTemplateBody>;

export const DeployTemplateBody = z
  .strictObject({
    model_uid: ModelUid.optional(),
    auto_start: z.boolean().default(true),
    description: TemplateFields.description,
    labels: SpecFields.labels,
    ...DeploymentFields,
  })
  .meta({ id: 'DeployTemplateBody' });
export type DeployTemplateBody = z.infer<typeof DeployTemplateBody>;

export const SaveAsTemplateBody = z
  .strictObject({
    template_id: Slug.optional(),
    name: TemplateFields.name,
    description: TemplateFields.description,
    category: TemplateCategory.default('chat'),
  })
  .meta({ id: 'SaveAsTemplateBody' });
export type SaveAsTemplateBody = z.infer<typeof SaveAsTemplateBody>;

export const TemplateParams = z.object({ template_id: Slug });

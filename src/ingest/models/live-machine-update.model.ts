import { Field, ObjectType } from '@nestjs/graphql';
import { LiveMachine } from './live-machine.model';

@ObjectType({
  description:
    "A machine's figures in the running shift, pushed when they change (at most once a second).",
})
export class LiveMachineUpdate extends LiveMachine {
  @Field({ description: 'The date the running shift belongs to.' })
  date!: string;

  @Field({ description: 'The running shift.' })
  shift!: string;
}
